package sparselab.analysis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stroke classifier against filters labelled by eye (trainer/src/test/resources/labels, see its README.md): the
 * filters are recomputed from their stored weights, and precision and recall must stay above the stated floors.
 */
class StrokeLabelsTest {
    /** Floors below the figures measured when the thresholds were set (see the labels' README.md). */
    static final double MIN_PRECISION = 0.72, MIN_RECALL = 0.74;

    record Labelled(String source, String label, float[] w) {}

    static List<Labelled> load() throws IOException {
        String csv;
        byte[] bin;
        try (InputStream c = StrokeLabelsTest.class.getResourceAsStream("/labels/labels.csv");
             InputStream b = StrokeLabelsTest.class.getResourceAsStream("/labels/filters.bin")) {
            csv = new String(c.readAllBytes(), StandardCharsets.UTF_8);
            bin = b.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN);
        List<Labelled> out = new ArrayList<>();
        for (String line : csv.lines().skip(1).toList()) {
            String[] f = line.split(",");
            float scale = buf.getFloat();
            float[] w = new float[784];
            for (int i = 0; i < w.length; i++) w[i] = buf.get() * scale;
            out.add(new Labelled(f[1], f[5], w));
        }
        assertEquals(0, buf.remaining(), "filters.bin has one filter per labels.csv row");
        return out;
    }

    /** true positives, false positives, false negatives. */
    static int[] counts(List<Labelled> ls) {
        int tp = 0, fp = 0, fn = 0;
        for (Labelled l : ls) {
            boolean said = StrokeMeasures.shape(l.w(), 0, 28, 28).stroke(), is = l.label().equals("stroke");
            if (said && is) tp++;
            else if (said) fp++;
            else if (is) fn++;
        }
        return new int[] {tp, fp, fn};
    }

    @Test
    void the_classifier_finds_the_labelled_strokes_with_stated_precision_and_recall() throws IOException {
        List<Labelled> ls = load();
        assertTrue(ls.size() >= 300, ls.size() + " labelled filters");
        int[] c = counts(ls);
        double precision = c[0] / (double) (c[0] + c[1]), recall = c[0] / (double) (c[0] + c[2]);
        Map<String, String> perLabel = new LinkedHashMap<>();
        for (String label : List.of("stroke", "dot", "speckle", "template", "dead")) {
            List<Labelled> of = ls.stream().filter(l -> l.label().equals(label)).toList();
            long said = of.stream().filter(l -> StrokeMeasures.shape(l.w(), 0, 28, 28).stroke()).count();
            perLabel.put(label, said + "/" + of.size());
        }
        String report = String.format("precision %.3f recall %.3f (tp %d fp %d fn %d); called stroke per label: %s",
                precision, recall, c[0], c[1], c[2], perLabel);
        System.out.println(report);
        assertTrue(precision >= MIN_PRECISION, report);
        assertTrue(recall >= MIN_RECALL, report);
    }

    @Test
    void speckle_is_never_called_a_stroke_and_dots_and_templates_seldom() throws IOException {
        List<Labelled> ls = load();
        Map<String, Double> most = Map.of("speckle", 0.0, "dot", 0.25, "template", 0.1);
        most.forEach((label, share) -> {
            List<Labelled> of = ls.stream().filter(l -> l.label().equals(label)).toList();
            long said = of.stream().filter(l -> StrokeMeasures.shape(l.w(), 0, 28, 28).stroke()).count();
            assertTrue(!of.isEmpty() && said <= share * of.size(), label + ": " + said + " of " + of.size() + " called strokes");
        });
    }

    @Test
    void stroke_share_of_a_gallery_counts_its_strokes() {
        int side = 28, d = side * side;
        float[] w1 = new float[3 * d];
        for (int r = 8; r < 20; r++) w1[r * side + 14] = w1[r * side + 15] = 1;   // unit 0: a bar 2 x 12 pixels: a stroke
        w1[d + 10 * side + 10] = 1;                                  // unit 1: one pixel: a dot
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < d; i++) w1[2 * d + i] = (float) rng.nextGaussian();  // unit 2: white noise: speckle
        assertTrue(StrokeMeasures.shape(w1, 0, side, side).stroke());
        assertEquals(1, StrokeMeasures.shape(w1, 1, side, side).corePixels());
        assertTrue(StrokeMeasures.shape(w1, 2, side, side).roughness() > 3, "white noise is rough");
        assertEquals(1.0 / 3, StrokeMeasures.strokeShare(w1, 3, side, side), 1e-12);
        assertTrue(Double.isNaN(StrokeMeasures.strokeShare(new float[d], 1, side, side)), "an all-zero filter has no shape");
        float[] partlyNaN = w1.clone();
        partlyNaN[d + 3] = Float.NaN;     // one weight of the second filter: the snapshot of a diverged run
        assertTrue(Double.isNaN(StrokeMeasures.strokeShare(partlyNaN, 3, side, side)), "no share over the filters that happen to be finite");
        partlyNaN[d + 3] = Float.POSITIVE_INFINITY;
        assertTrue(Double.isNaN(StrokeMeasures.strokeShare(partlyNaN, 3, side, side)));
    }
}
