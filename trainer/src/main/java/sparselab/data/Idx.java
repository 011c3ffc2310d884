package sparselab.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * IDX files, the format of LeCun's MNIST distribution: a big-endian header (magic {@code 0x0000TTDD}, T the element
 * type, D the number of dimensions, then D int32 sizes) followed by the elements. Images are {@code 0x00000803}
 * (unsigned bytes, count x rows x cols), labels {@code 0x00000801} (unsigned bytes, count). A file is read as gzip
 * when it starts with the gzip magic bytes {@code 1f 8b}, whatever its name; otherwise raw.
 *
 * <p>A file must hold exactly the bytes its header promises. Every failure is a {@link DataException} naming the file.
 */
public final class Idx {
    /** Unsigned bytes, three dimensions: images. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    /** The largest element count a Java array holds safely. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final float[] SCALE = new float[256];
    /** {@code train-images-idx3-ubyte} and {@code train-images.idx3-ubyte} (as some mirrors spell it). */
    private static final Pattern IMAGES_NAME = Pattern.compile("images([.-])idx3-ubyte");

    static {
        for (int i = 0; i < 256; i++) SCALE[i] = i / 255f;
    }

    private Idx() {}

    /**
     * Reads an IDX image file, pixels scaled to [0, 1] (byte / 255), and the labels from the label file beside it when
     * there is one ({@link #labelsBeside}). The data set is named {@code idx:PATH}.
     */
    public static Dataset read(Path images) {
        return read(images, labelsBeside(images));
    }

    /** Reads an IDX image file and its IDX label file, which must hold one label per image. */
    public static Dataset read(Path images, Path labels) {
        return read(images, Optional.of(labels));
    }

    private static Dataset read(Path images, Optional<Path> labels) {
        Raw raw = readRaw(images, IMAGES_MAGIC);
        int count = raw.dims[0], rows = raw.dims[1], cols = raw.dims[2];
        float[] px = new float[raw.data.length];
        for (int i = 0; i < px.length; i++) px[i] = SCALE[raw.data[i] & 0xFF];
        int[] l = new int[0];
        if (labels.isPresent()) {
            l = readLabels(labels.get());
            if (l.length != count) {
                throw new DataException(labels.get(), "holds " + l.length + " labels, but " + images + " holds " + count + " images");
            }
        }
        return new Dataset("idx:" + images, px, count, rows, cols, l, Fingerprint.of(px, count, rows, cols));
    }

    /** Reads an IDX label file: one unsigned byte per sample. */
    public static int[] readLabels(Path labels) {
        Raw raw = readRaw(labels, LABELS_MAGIC);
        int[] l = new int[raw.data.length];
        for (int i = 0; i < l.length; i++) l[i] = raw.data[i] & 0xFF;
        return l;
    }

    /**
     * The label file that sits beside an image file by MNIST's naming, if it exists: {@code X-images-idx3-ubyte[.gz]}
     * goes with {@code X-labels-idx1-ubyte[.gz]} (the same compression suffix is preferred, then the other).
     */
    public static Optional<Path> labelsBeside(Path images) {
        Path name = images.getFileName();
        if (name == null) return Optional.empty();
        Matcher m = IMAGES_NAME.matcher(name.toString());
        if (!m.find()) return Optional.empty();
        String base = m.replaceFirst("labels$1idx1-ubyte");
        String plain = base.endsWith(".gz") ? base.substring(0, base.length() - 3) : base;
        for (String candidate : List.of(base, base.endsWith(".gz") ? plain : plain + ".gz")) {
            Path p = images.resolveSibling(candidate);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Writes an IDX image file of {@code count} images of rows x cols unsigned bytes; gzip-compressed when the file
     * name ends in {@code .gz}. The file appears complete or not at all (written beside, then moved).
     */
    public static void writeImages(Path file, byte[] pixels, int count, int rows, int cols) {
        if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " bytes are not " + count + " images of " + rows + "x" + cols);
        }
        write(file, IMAGES_MAGIC, new int[] {count, rows, cols}, pixels);
    }

    /** Writes an IDX label file, one unsigned byte per sample; gzip-compressed when the name ends in {@code .gz}. */
    public static void writeLabels(Path file, byte[] labels) {
        write(file, LABELS_MAGIC, new int[] {labels.length}, labels);
    }

    /**
     * Deletes the part files of {@code file} whose writer is gone (a fetch killed part way leaves tens of megabytes):
     * those untouched for an hour and named by a process that is not alive here. A live writer's part file is left
     * alone, also one on another machine that shares the folder (its pid means nothing here, but it writes now).
     */
    static void deleteDeadParts(Path file) {
        java.util.regex.Pattern part = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(file.getFileName().toString())
                + "\\.([0-9]+)-[0-9a-f-]{36}\\.part");
        try (java.util.stream.Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
            for (Path p : siblings.toList()) {
                java.util.regex.Matcher m = part.matcher(p.getFileName().toString());
                if (m.matches() && Files.getLastModifiedTime(p).toInstant().isBefore(java.time.Instant.now().minus(java.time.Duration.ofHours(1)))
                        && ProcessHandle.of(Long.parseLong(m.group(1))).map(h -> !h.isAlive()).orElse(true)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // left for the next write: a stale part file takes room, it breaks nothing
        }
    }

    private static void write(Path file, int magic, int[] dims, byte[] data) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // a part file of this writer's own: two writers of the same file at once (two trainers fetching the demo
            // digits on a fresh machine) each write theirs whole and move it into place, the same bytes either way
            // (named here, not by createTempFile, whose file is its owner's alone: the data folder may be shared)
            tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "-" + java.util.UUID.randomUUID() + ".part");
            deleteDeadParts(file);
            try (OutputStream raw = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                 OutputStream z = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(z, 1 << 16))) {
                out.writeInt(magic);
                for (int d : dims) out.writeInt(d);
                out.write(data);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; that is the error worth reporting
            }
            throw new DataException(file, "cannot write IDX file: " + DataException.reason(e), e);
        }
    }

    /**
     * The values per image of an IDX image file (rows x cols), from its header alone: the first 16 bytes (decompressed
     * when the file is gzip), without reading or checking the rest, which {@link #read} does.
     */
    public static int imageDim(Path file) {
        try (InputStream in = open(file, isGzip(file))) {
            byte[] h = in.readNBytes(16);
            if (h.length < 16) throw new DataException(file, "too short for an IDX image header");
            ByteBuffer b = ByteBuffer.wrap(h);
            checkMagic(file, b.getInt(), IMAGES_MAGIC);
            b.getInt();                                          // the count
            long dim = (long) b.getInt() * b.getInt();
            if (dim <= 0 || dim > Integer.MAX_VALUE) throw new DataException(file, "image sizes in its header are not positive");
            return (int) dim;
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + DataException.reason(e), e);
        }
    }

    /** Whether the file starts with gzip's magic bytes {@code 1f 8b}. */
    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
        }
    }

    /** A checked header and the element bytes. */
    private record Raw(int[] dims, byte[] data) {}

    private static Raw readRaw(Path file, int expectedMagic) {
        String what = expectedMagic == IMAGES_MAGIC ? "IDX image file" : "IDX label file";
        if (!Files.exists(file)) throw new DataException(file, "no such file (expected an " + what + ")");
        if (!Files.isRegularFile(file)) throw new DataException(file, "not a regular file (expected an " + what + ")");
        long fileSize;
        boolean gzip;
        try {
            fileSize = Files.size(file);
            gzip = isGzip(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "no such file (expected an " + what + ")", e);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + DataException.reason(e), e);
        }
        if (fileSize == 0) throw new DataException(file, "empty file (expected an " + what + ")");
        String found = gzip ? "decompressed bytes" : "bytes";
        try (InputStream in = open(file, gzip)) {
            byte[] magicBytes = in.readNBytes(4);
            if (magicBytes.length < 4) {
                throw new DataException(file, "too short for an IDX header: " + magicBytes.length + " " + found + " (expected an " + what + ")");
            }
            int magic = ByteBuffer.wrap(magicBytes).getInt();
            checkMagic(file, magic, expectedMagic);
            int rank = expectedMagic & 0xFF;
            byte[] dimBytes = in.readNBytes(4 * rank);
            if (dimBytes.length < 4 * rank) {
                throw truncated(file, 4 + 4L * rank, 4 + dimBytes.length, found, "the header");
            }
            ByteBuffer db = ByteBuffer.wrap(dimBytes);
            int[] dims = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = db.getInt();
                if (dims[i] <= 0) {
                    throw new DataException(file, "dimension " + (i + 1) + " of " + rank + " is " + Integer.toUnsignedString(dims[i])
                            + "; every size must be positive and below 2^31");
                }
                elements *= dims[i];
                if (elements > MAX_ELEMENTS) {
                    throw new DataException(file, "sizes " + dimsText(dims, i + 1) + " promise more than " + MAX_ELEMENTS
                            + " elements, more than one array holds");
                }
            }
            long headerBytes = 4 + 4L * rank;
            long expected = headerBytes + elements;
            if (!gzip && fileSize != expected) {
                throw fileSize < expected
                        ? truncated(file, expected, fileSize, found, sizes(dims))
                        : new DataException(file, "holds " + fileSize + " bytes, but its header (" + sizes(dims) + ") promises exactly " + expected
                                + "; trailing bytes are not IDX");
            }
            // readNBytes grows its buffer as data arrives, so a lying header cannot make us allocate what is not there.
            byte[] data = in.readNBytes((int) elements);
            if (data.length < elements) throw truncated(file, expected, headerBytes + data.length, found, sizes(dims));
            if (in.read() != -1) {
                throw new DataException(file, "holds more than the " + expected + " " + found + " its header (" + sizes(dims)
                        + ") promises; trailing bytes are not IDX");
            }
            return new Raw(dims, data);
        } catch (EOFException | ZipException e) {
            throw new DataException(file, "broken or truncated gzip data (" + e.getMessage() + "); "
                    + "the download may be incomplete", e);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + DataException.reason(e), e);
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    private static void checkMagic(Path file, int magic, int expected) {
        if (magic == expected) return;
        String want = String.format("expected 0x%08x", expected);
        String got = String.format("magic 0x%08x", magic);
        String what = expected == IMAGES_MAGIC ? "an IDX image file" : "an IDX label file";
        if (magic == LABELS_MAGIC) throw new DataException(file, "not " + what + " (" + got + " is an IDX label file; " + want + ")");
        if (magic == IMAGES_MAGIC) throw new DataException(file, "not " + what + " (" + got + " is an IDX image file; " + want + ")");
        if ((magic >>> 16) == 0) {
            String type = switch ((magic >>> 8) & 0xFF) {
                case 0x08 -> "unsigned byte";
                case 0x09 -> "signed byte";
                case 0x0B -> "short";
                case 0x0C -> "int";
                case 0x0D -> "float";
                case 0x0E -> "double";
                default -> "unknown-type";
            };
            throw new DataException(file, "not " + what + " (" + got + " would be " + type + " data with " + (magic & 0xFF)
                    + " dimensions; " + want + ")");
        }
        throw new DataException(file, "not " + what + " (" + got + "; " + want + ")");
    }

    private static DataException truncated(Path file, long expected, long found, String unit, String promise) {
        return new DataException(file, "truncated: expected " + expected + " " + unit + " (" + promise + "), found " + found);
    }

    private static String sizes(int[] dims) {
        if (dims.length == 3) return "header + " + dims[0] + " images of " + dims[1] + "x" + dims[2];
        return "header + " + dims[0] + " labels";
    }

    private static String dimsText(int[] dims, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " x ").append(dims[i]);
        return sb.toString();
    }
}
