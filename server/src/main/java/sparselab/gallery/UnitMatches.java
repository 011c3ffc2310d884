package sparselab.gallery;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.NotFoundResponse;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.SnapshotRow;
import sparselab.model.Matching;
import sparselab.server.Ids;
import sparselab.store.StoreException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which unit of one weight snapshot is which unit of another: the one-to-one matching of their filters (rows of W1)
 * that maximises the total cosine similarity (the Hungarian algorithm of {@link Matching}). Snapshots never change
 * (their bytes are content-addressed), so each pair's answer is kept, the most recent {@value #CACHED} pairs. A
 * snapshot whose W1 holds a NaN or infinite weight (a diverged run's) has no cosines and is refused (400) before
 * any matching.
 */
public final class UnitMatches {
    /** Pairs kept. */
    static final int CACHED = 64;
    /** Largest hidden layer matched (the algorithm is cubic in it). */
    static final int MAX_UNITS = 1024;

    /**
     * The matching of snapshot A's units to snapshot B's.
     *
     * @param units  {@code units[i]} is B's unit matched to A's unit i
     * @param cosine the cosine similarity of A's unit i and its match
     */
    public record Match(String a, int epochA, String b, int epochB, int[] units, double[] cosine) {}

    private final EventLog log;
    private final Map<String, Match> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Match> eldest) { return size() > CACHED; }
    };

    public UnitMatches(EventLog log) {
        this.log = log;
    }

    /** Matches run {@code a}'s snapshot at {@code epochA} with run {@code b}'s at {@code epochB}; both must have the same shape. */
    public Match match(String a, int epochA, String b, int epochB) {
        SnapshotRow sa = snapshot(a, epochA);
        SnapshotRow sb = snapshot(b, epochB);
        RunEvent.WeightSnapshot wa = sa.event(), wb = sb.event();
        WeightImages.check(a, wa, null);
        WeightImages.check(b, wb, null);
        if (wa.hidden() != wb.hidden() || wa.visible() != wb.visible()) {
            // the rare case where it matters whether a row says what its weights are: read them (megabytes) only here
            log.blob(sa.blob()).ifPresent(bytes -> WeightImages.check(a, wa, bytes));
            log.blob(sb.blob()).ifPresent(bytes -> WeightImages.check(b, wb, bytes));
            throw new BadRequestResponse("runs " + a + " and " + b + " differ in shape (" + wa.hidden() + "x" + wa.visible() + " and "
                    + wb.hidden() + "x" + wb.visible() + "): their units cannot be matched");
        }
        if (wa.hidden() > MAX_UNITS) throw new BadRequestResponse("matching is offered up to " + MAX_UNITS + " hidden units, not " + wa.hidden());
        String key = sa.blob() + "/" + sb.blob();
        synchronized (cache) {
            Match m = cache.get(key);
            if (m != null) return new Match(a, epochA, b, epochB, m.units(), m.cosine());
        }
        float[][] fa = filters(a, sa), fb = filters(b, sb);
        double[][] sim = Matching.cosineMatrix(fa, fb);
        int[] units = Matching.maxSimilarity(sim);
        double[] cos = new double[units.length];
        for (int i = 0; i < units.length; i++) cos[i] = Math.round(sim[i][units[i]] * 1e4) / 1e4;
        Match m = new Match(a, epochA, b, epochB, units, cos);
        synchronized (cache) { cache.put(key, m); }
        return m;
    }

    /** How many snapshot pairs are kept. */
    public int cached() {
        synchronized (cache) { return cache.size(); }
    }

    private SnapshotRow snapshot(String id, int epoch) {
        if (!Ids.isRunId(id)) throw new StoreException.RunNotFound(id);   // as a run id of no run: no run has it
        var run = log.require(id);
        return log.snapshot(id, epoch)
                .orElseThrow(() -> new NotFoundResponse("run '" + id + "' has no weight snapshot at " + GalleryRoutes.stepWord(run) + " " + epoch));
    }

    /** Run {@code id}'s filters at snapshot {@code s}, or 400 when a weight is not finite. */
    private float[][] filters(String id, SnapshotRow s) {
        RunEvent.WeightSnapshot w = s.event();
        byte[] bytes = log.blob(s.blob()).orElseThrow(() -> new NotFoundResponse("the weights of snapshot " + s.blob() + " are missing"));
        float[] w1 = WeightImages.w1(id, w, bytes);
        for (float x : w1) {
            if (!Float.isFinite(x)) {
                throw new BadRequestResponse("run '" + id + "' has non-finite weights (NaN or infinite) at " + GalleryRoutes.stepWord(log.require(id))
                        + " " + s.epoch() + ": its units cannot be matched");
            }
        }
        float[][] f = new float[w.hidden()][];
        for (int u = 0; u < w.hidden(); u++) f[u] = java.util.Arrays.copyOfRange(w1, u * w.visible(), (u + 1) * w.visible());
        return f;
    }
}
