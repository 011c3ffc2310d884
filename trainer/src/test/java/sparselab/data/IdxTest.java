package sparselab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    /** Three 2x3 images whose bytes run 0, 1, ..., 17, with 255 in the last pixel. */
    private static byte[] pixels() {
        byte[] px = new byte[3 * 2 * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) i;
        px[px.length - 1] = (byte) 255;
        return px;
    }

    private static float[] scaled(byte[] px) {
        float[] f = new float[px.length];
        for (int i = 0; i < px.length; i++) f[i] = (px[i] & 0xFF) / 255f;
        return f;
    }

    private static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    private static DataException refused(Path file) {
        DataException e = assertThrows(DataException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith("data: " + file + ": "), e.getMessage());
        assertEquals(file, e.file().orElseThrow());
        return e;
    }

    @Test
    void reads_back_raw_and_gzipped_images_with_the_labels_beside_them(@TempDir Path dir) {
        byte[] px = pixels();
        for (String suffix : new String[] {"", ".gz"}) {
            Path images = dir.resolve("train-images-idx3-ubyte" + suffix);
            Idx.writeImages(images, px, 3, 2, 3);
            Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte" + suffix), new byte[] {7, 0, 9});

            Dataset d = Idx.read(images);
            assertEquals("idx:" + images, d.name());
            assertEquals(3, d.count());
            assertEquals(2, d.rows());
            assertEquals(3, d.cols());
            assertArrayEquals(scaled(px), d.pixels());
            assertEquals(1f, d.pixels()[17]);
            assertArrayEquals(new int[] {7, 0, 9}, d.labels());
            assertEquals(Fingerprint.of(scaled(px), 3, 2, 3), d.fingerprint());
        }
    }

    @Test
    void writes_gzip_when_the_name_ends_in_gz_and_raw_otherwise(@TempDir Path dir) throws IOException {
        Idx.writeImages(dir.resolve("a.gz"), pixels(), 3, 2, 3);
        Idx.writeImages(dir.resolve("a"), pixels(), 3, 2, 3);
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b}, Arrays.copyOf(Files.readAllBytes(dir.resolve("a.gz")), 2));
        assertArrayEquals(header(Idx.IMAGES_MAGIC, 3, 2, 3), Arrays.copyOf(Files.readAllBytes(dir.resolve("a")), 16));
    }

    @Test
    void detects_gzip_by_its_magic_bytes_not_by_the_file_name(@TempDir Path dir) throws IOException {
        byte[] raw = concat(header(Idx.IMAGES_MAGIC, 3, 2, 3), pixels());
        Path gzippedWithoutSuffix = dir.resolve("images.idx");
        Files.write(gzippedWithoutSuffix, gzip(raw));
        Path rawWithGzSuffix = dir.resolve("images.idx.gz");
        Files.write(rawWithGzSuffix, raw);

        assertArrayEquals(scaled(pixels()), Idx.read(gzippedWithoutSuffix).pixels());
        assertArrayEquals(scaled(pixels()), Idx.read(rawWithGzSuffix).pixels());
    }

    @Test
    void has_no_labels_when_no_label_file_sits_beside_the_images(@TempDir Path dir) {
        Path images = dir.resolve("t10k-images.idx3-ubyte");
        Idx.writeImages(images, pixels(), 3, 2, 3);
        assertEquals(0, Idx.read(images).labels().length);
        Idx.writeLabels(dir.resolve("t10k-labels.idx1-ubyte.gz"), new byte[] {1, 2, 3});
        assertArrayEquals(new int[] {1, 2, 3}, Idx.read(images).labels());
    }

    @Test
    void refuses_a_missing_file(@TempDir Path dir) {
        DataException e = refused(dir.resolve("train-images-idx3-ubyte.gz"));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void refuses_a_truncated_file_saying_how_many_bytes_were_expected_and_found(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("short.idx");
        Files.write(f, concat(header(Idx.IMAGES_MAGIC, 3, 2, 3), Arrays.copyOf(pixels(), 10)));
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("truncated: expected 34 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found 26"), e.getMessage());
    }

    @Test
    void refuses_a_file_whose_header_is_cut_short(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("header.idx");
        Files.write(f, Arrays.copyOf(header(Idx.IMAGES_MAGIC, 3, 2, 3), 9));
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("truncated: expected 16 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found 9"), e.getMessage());
    }

    @Test
    void refuses_bytes_beyond_what_the_header_promises(@TempDir Path dir) throws IOException {
        Path raw = dir.resolve("long.idx");
        byte[] content = concat(header(Idx.IMAGES_MAGIC, 3, 2, 3), pixels(), new byte[] {1, 2});
        Files.write(raw, content);
        assertTrue(refused(raw).getMessage().contains("trailing bytes"));
        Path gz = dir.resolve("long.idx.gz");
        Files.write(gz, gzip(content));
        assertTrue(refused(gz).getMessage().contains("trailing bytes"));
    }

    @Test
    void refuses_a_label_file_given_as_images(@TempDir Path dir) {
        Path f = dir.resolve("train-labels-idx1-ubyte");
        Idx.writeLabels(f, new byte[] {1, 2, 3});
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("not an IDX image file (magic 0x00000801 is an IDX label file; expected 0x00000803)"), e.getMessage());
    }

    @Test
    void refuses_an_image_file_given_as_labels(@TempDir Path dir) {
        Path f = dir.resolve("images");
        Idx.writeImages(f, pixels(), 3, 2, 3);
        DataException e = assertThrows(DataException.class, () -> Idx.readLabels(f));
        assertEquals(f, e.file().orElseThrow());
        assertTrue(e.getMessage().contains("magic 0x00000803 is an IDX image file; expected 0x00000801"), e.getMessage());
    }

    @Test
    void refuses_idx_files_of_another_element_type(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("floats.idx");
        Files.write(f, concat(header(0x00000D03, 1, 1, 1), new byte[4]));
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("float data with 3 dimensions"), e.getMessage());
    }

    @Test
    void refuses_a_garbage_file(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "these are not the digits you are looking for", StandardCharsets.UTF_8);
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("not an IDX image file (magic 0x74686573; expected 0x00000803)"), e.getMessage());
    }

    @Test
    void refuses_an_empty_file(@TempDir Path dir) throws IOException {
        Path f = Files.createFile(dir.resolve("empty.idx.gz"));
        assertTrue(refused(f).getMessage().contains("empty file"));
    }

    @Test
    void refuses_a_file_too_short_for_the_magic_number(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("tiny");
        Files.write(f, new byte[] {0, 0, 8});
        assertTrue(refused(f).getMessage().contains("too short for an IDX header: 3 bytes"));
    }

    @Test
    void refuses_a_truncated_gzip_file(@TempDir Path dir) throws IOException {
        byte[] big = new byte[3000 * 2 * 3];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + i / 7);
        byte[] z = gzip(concat(header(Idx.IMAGES_MAGIC, 3000, 2, 3), big));
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(f, Arrays.copyOf(z, z.length / 2));
        assertTrue(refused(f).getMessage().contains("truncated gzip"));
    }

    @Test
    void refuses_a_gzip_file_whose_content_is_cut_short(@TempDir Path dir) throws IOException {
        // a complete gzip stream whose IDX content is shorter than its header promises
        Path f = dir.resolve("cut.gz");
        Files.write(f, gzip(concat(header(Idx.IMAGES_MAGIC, 3, 2, 3), new byte[5])));
        DataException e = refused(f);
        assertTrue(e.getMessage().contains("truncated: expected 34 decompressed bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found 21"), e.getMessage());
    }

    @Test
    void refuses_zero_and_negative_dimensions(@TempDir Path dir) throws IOException {
        Path zero = dir.resolve("zero.idx");
        Files.write(zero, header(Idx.IMAGES_MAGIC, 0, 28, 28));
        assertTrue(refused(zero).getMessage().contains("dimension 1 of 3 is 0"));
        Path negative = dir.resolve("negative.idx");
        Files.write(negative, header(Idx.IMAGES_MAGIC, 5, -1, 28));
        assertTrue(refused(negative).getMessage().contains("dimension 2 of 3 is 4294967295"));
    }

    @Test
    void refuses_sizes_whose_product_no_array_holds_without_allocating_it(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("huge.idx.gz");
        Files.write(f, gzip(header(Idx.IMAGES_MAGIC, 60_000, 28_000, 28)));
        assertTrue(refused(f).getMessage().contains("promise more than"));
        Path lying = dir.resolve("lying.idx.gz");
        Files.write(lying, gzip(concat(header(Idx.IMAGES_MAGIC, 1_000_000, 28, 28), new byte[784])));
        assertTrue(refused(lying).getMessage().contains("truncated: expected 784000016 decompressed bytes"));
    }

    @Test
    void refuses_a_label_file_that_does_not_match_the_image_count(@TempDir Path dir) {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        Idx.writeImages(images, pixels(), 3, 2, 3);
        Idx.writeLabels(labels, new byte[] {1, 2});
        DataException e = assertThrows(DataException.class, () -> Idx.read(images));
        assertEquals(labels, e.file().orElseThrow());
        assertTrue(e.getMessage().contains("holds 2 labels, but " + images + " holds 3 images"), e.getMessage());
    }

    @Test
    void refuses_a_directory(@TempDir Path dir) {
        assertNotEquals("", refused(dir).getMessage());
    }

    @Test
    void the_image_size_is_read_from_the_header_alone_raw_or_gzip(@TempDir Path tmp) throws Exception {
        for (String name : java.util.List.of("dim-idx3-ubyte", "dim-idx3-ubyte.gz")) {
            Path f = tmp.resolve(name);
            Idx.writeImages(f, new byte[3 * 5 * 7], 3, 5, 7);
            assertEquals(35, Idx.imageDim(f), name);
            assertEquals(35, DataSets.dim("idx:" + f, tmp), name);
        }
        Path labels = tmp.resolve("labels-idx1-ubyte");
        Idx.writeLabels(labels, new byte[] {1, 2});
        assertThrows(DataException.class, () -> Idx.imageDim(labels), "a label file is not an image file");
    }

    /**
     * Two writers of the same file at once (two trainers or test JVMs fetching the demo digits on a fresh machine):
     * each succeeds, and the file is whole. With one temporary name for both, the second writer truncated the first's
     * part file under it, and one of the moves found no part file left.
     */
    @Test
    void two_writers_of_the_same_file_at_once_both_succeed_and_leave_it_whole(@TempDir Path tmp) throws Exception {
        int count = 2000, side = 28;
        byte[] px = new byte[count * side * side];
        new java.util.Random(7).nextBytes(px);
        Path file = tmp.resolve("images-idx3-ubyte");
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                java.util.List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    writes.add(two.submit(() -> {
                        start.await();
                        Idx.writeImages(file, px, count, side, side);
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : writes) f.get();      // a refused write throws here
                Dataset d = Idx.read(file);
                assertEquals(count, d.count(), "round " + round);
                try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
                    assertEquals(java.util.List.of(file), left.toList(), "round " + round + ": no part file left");
                }
            }
        } finally {
            two.shutdownNow();
        }
        assertArrayEquals(concat(header(0x803, count, side, side), px), Files.readAllBytes(file));
        // its mode is that of any file written here (the umask's), not a temporary file's owner-only 0600: a data
        // folder may be shared with the account that serves the dashboard
        Path plain = Files.write(tmp.resolve("plain"), new byte[1]);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    /**
     * A fetch killed part way leaves its part file (tens of megabytes for the demo digits): the next write of the file
     * deletes the part files of writers that are gone, and leaves a live writer's.
     */
    @Test
    void a_write_deletes_the_part_files_of_writers_that_are_gone_and_keeps_a_live_ones(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("images-idx3-ubyte");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.write(tmp.resolve(file.getFileName() + "." + gone.pid() + "-" + java.util.UUID.randomUUID() + ".part"), new byte[100]);
        Path live = Files.write(tmp.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "-" + java.util.UUID.randomUUID() + ".part"), new byte[100]);
        Path other = Files.write(tmp.resolve("labels-idx1-ubyte." + gone.pid() + "-" + java.util.UUID.randomUUID() + ".part"), new byte[100]);
        // a gone pid's part written a minute ago: perhaps a writer on another machine sharing the folder, still writing
        Path recent = Files.write(tmp.resolve(file.getFileName() + "." + gone.pid() + "-" + java.util.UUID.randomUUID() + ".part"), new byte[100]);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(2)));
        for (Path p : List.of(dead, live, other)) Files.setLastModifiedTime(p, old);
        Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofMinutes(1))));
        Idx.writeImages(file, pixels(), 3, 2, 3);
        assertTrue(Files.exists(file));
        assertTrue(!Files.exists(dead), "the gone writer's part file deleted");
        assertTrue(Files.exists(live), "a live writer's kept");
        assertTrue(Files.exists(recent), "a part written to within the hour kept");
        assertTrue(Files.exists(other), "another file's parts are its own writes' business");
    }
}
