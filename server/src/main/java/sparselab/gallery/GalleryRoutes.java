package sparselab.gallery;

import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.TooManyRequestsResponse;
import sparselab.config.Limits;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.SnapshotRow;
import sparselab.server.Ids;
import sparselab.server.Params;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Weight images and raw weights of stored snapshots. Snapshots never change (their blobs are content-addressed),
 * so each answer carries an ETag made of the blob hash and the drawing parameters, and may be cached. An image is
 * refused (400) when it would have more than {@link Limits#maxImagePixels()} pixels, before its weights are read,
 * and at most {@link #RENDERS} images are drawn at once, so a few large requests cannot exhaust the heap. The units of
 * two snapshots of the same shape can be matched (see {@link UnitMatches}), and a grid drawn in the order of such a match.
 * A diverged run's NaN or infinite weights are drawn magenta; they cannot be matched (400). An error carries no tag.
 */
public final class GalleryRoutes {
    /** Images drawn at the same time; further requests wait up to {@link #RENDER_WAIT_SECONDS}, then get 429. */
    static final int RENDERS = 2;
    static final int RENDER_WAIT_SECONDS = 30;

    private final EventLog log;
    private final long maxPixels;
    /** A request's wait for its turn: {@link #RENDER_WAIT_SECONDS}; {@code -Dsparselab.renderWaitMs} sets it (tests). */
    private final long renderWaitMs = Long.getLong("sparselab.renderWaitMs", RENDER_WAIT_SECONDS * 1000L);
    private final Semaphore renders = new Semaphore(RENDERS, true);
    private final UnitMatches matches;

    public GalleryRoutes(EventLog log, long maxPixels, UnitMatches matches) {
        this.log = log;
        this.maxPixels = maxPixels;
        this.matches = matches;
    }

    public void register(Javalin app) {
        app.get("/api/runs/{id}/snapshots/{epoch}/grid.png", this::grid);
        app.get("/api/runs/{id}/snapshots/{epoch}/filters/{unit}.png", this::filter);
        app.get("/api/runs/{id}/snapshots/{epoch}/weights.bin", this::weights);
        app.get("/api/runs/{id}/snapshots/{epoch}/match/{other}/{otherEpoch}", this::match);
    }

    /** Which unit of the other run's snapshot matches each unit of this one. */
    private void match(Context ctx) {
        String id = ctx.pathParam("id"), other = ctx.pathParam("other");
        int epoch = Params.pathInt(ctx, "epoch", 0, Integer.MAX_VALUE);
        int otherEpoch = Params.pathInt(ctx, "otherEpoch", 0, Integer.MAX_VALUE);
        ctx.json(bounded(() -> matches.match(id, epoch, other, otherEpoch)));
    }

    private void grid(Context ctx) {
        Snapshot s = snapshot(ctx);
        int scale = Params.queryInt(ctx, "scale", 2, 1, 8);
        checkPixels(WeightImages.gridPixels(s.w.hidden(), s.w.imageRows(), s.w.imageCols(), scale),
                "the grid of " + s.w.hidden() + " filters of " + s.w.imageRows() + "x" + s.w.imageCols() + " pixels", scale);
        // ?matchTo=RUN&matchEpoch=N: tile i shows the unit matched to that snapshot's unit i
        String to = ctx.queryParam("matchTo");
        if (to != null && to.isBlank()) to = null;       // empty counts as absent, as matchEpoch's: a grid without matching
        String tag = s.row.blob() + "-grid-" + scale;
        String toBlob = null;
        int toEpoch = -1;
        String epochGiven = ctx.queryParam("matchEpoch");
        if (to == null && epochGiven != null && !epochGiven.isBlank()) {     // not dropped: the grid would not be the one asked for
            throw new BadRequestResponse("matchTo: missing; give the run whose snapshot at matchEpoch the grid is matched to");
        }
        if (to != null) {
            toEpoch = Params.queryInt(ctx, "matchEpoch", -1, 0, Integer.MAX_VALUE);
            if (toEpoch < 0) throw new BadRequestResponse("matchEpoch: missing; give the epoch of matchTo's snapshot");
            // checked before the tag is read: no tag answers 304 for a snapshot that is not there
            toBlob = snapshotRow(to, toEpoch, "matchTo: ").blob();
            tag += "-match-" + toBlob;                           // the matching depends on the two snapshots' weights only
        }
        if (notModified(ctx, tag, s.row.blob(), toBlob)) return;     // before the matching: snapshots never change
        int[] order = null;
        if (to != null) {
            int e = toEpoch;
            String other = to;
            order = bounded(() -> matches.match(other, e, ctx.pathParam("id"), s.row.epoch())).units();   // 400 for non-finite weights
        }
        int[] drawOrder = order;
        byte[] png = bounded(() -> WeightImages.grid(s.w1(), s.w.hidden(), s.w.imageRows(), s.w.imageCols(), scale, drawOrder));
        cacheable(ctx, tag).contentType("image/png").result(png);
    }

    private void filter(Context ctx) {
        Snapshot s = snapshot(ctx);
        int unit = Params.pathInt(ctx, "unit", 0, Integer.MAX_VALUE);
        if (unit >= s.w.hidden()) throw new NotFoundResponse("unit: " + unit + " is not a hidden unit (0.." + (s.w.hidden() - 1) + ")");
        int scale = Params.queryInt(ctx, "scale", 12, 1, 32);
        checkPixels(WeightImages.singlePixels(s.w.imageRows(), s.w.imageCols(), scale),
                "a filter of " + s.w.imageRows() + "x" + s.w.imageCols() + " pixels", scale);
        String tag = s.row.blob() + "-unit-" + unit + "-" + scale;
        if (notModified(ctx, tag, s.row.blob())) return;
        byte[] png = bounded(() -> WeightImages.single(s.w1(), unit, s.w.imageRows(), s.w.imageCols(), scale));
        cacheable(ctx, tag).contentType("image/png").result(png);
    }

    private void weights(Context ctx) {
        Snapshot s = snapshot(ctx);
        if (notModified(ctx, s.row.blob(), s.row.blob())) return;
        byte[] bytes = bounded(s::bytes);                     // read whole and hashed: megabytes each, so a few at a time
        cacheable(ctx, s.row.blob()).header("Content-Disposition", "attachment; filename=\"" + ctx.pathParam("id") + "-"
                + log.run(s.runId()).map(GalleryRoutes::stepWord).orElse("epoch") + s.row.epoch() + "-weights.bin\"");
        ctx.contentType("application/octet-stream").result(bytes);
    }

    private void checkPixels(long pixels, String what, int scale) {
        if (pixels <= maxPixels) return;
        throw new BadRequestResponse(String.format(Locale.ROOT, "scale: %s at scale %d would be an image of %,d pixels; the limit is %,d (%s)%s",
                what, scale, pixels, maxPixels, Limits.IMAGE_PIXELS, scale > 1 ? ": use a smaller scale" : ""));
    }

    /**
     * Does the heavy work of a request (a drawing, a unit matching, a snapshot's bytes read and hashed) with at most
     * {@link #RENDERS} such pieces of work at once; a request that waits {@link #RENDER_WAIT_SECONDS} for its turn
     * gets 429 (the wait is read when the routes are made: {@code -Dsparselab.renderWaitMs}, for tests).
     */
    private <T> T bounded(Supplier<T> draw) {
        boolean got;
        try {
            got = renders.tryAcquire(renderWaitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) throw new TooManyRequestsResponse("images: " + RENDERS + " images, matchings or weight downloads are under way; try again");
        try {
            return draw.get();
        } finally {
            renders.release();
        }
    }

    /**
     * The row of run {@code id}'s snapshot at {@code epoch}, or 404 naming what is missing ({@code what}: the parameter,
     * or ""), in the run's own word for a step (an L-BFGS run's is an iteration). A malformed id answers as a run id of
     * no run, as the match route's do ({@link UnitMatches}).
     */
    private SnapshotRow snapshotRow(String id, int epoch, String what) {
        Optional<RunRow> found = Ids.isRunId(id) ? log.run(id) : Optional.empty();   // a malformed id is no run's: 404 as for any other
        RunRow run = found.orElseThrow(() -> new NotFoundResponse(what + "run '" + sparselab.config.ConfigException.clip(id, 60) + "' not found"));
        return log.snapshot(id, epoch)
                .orElseThrow(() -> new NotFoundResponse(what + "run '" + id + "' has no weight snapshot at " + stepWord(run) + " " + epoch));
    }

    /** "iteration" for an L-BFGS run, "epoch" for the others. */
    static String stepWord(sparselab.log.RunRow run) {
        return sparselab.config.Choices.Optimizer.stepWord(run.configMap().get("optimizer"));
    }

    /** The snapshot's row and shape, checked; its weights are read only when needed. */
    private Snapshot snapshot(Context ctx) {
        String id = ctx.pathParam("id");
        int epoch = Params.pathInt(ctx, "epoch", 0, Integer.MAX_VALUE);
        SnapshotRow row = snapshotRow(id, epoch, "");
        RunEvent.WeightSnapshot w = row.event();
        WeightImages.check(id, w, null);                       // its shape; its bytes' size where they are read
        return new Snapshot(log, id, row, w);
    }

    /**
     * Answers 304 (with the tag) when the client holds the answer tagged {@code tag} and the weights it was made of
     * ({@code blobs}, a null one skipped) are still stored; otherwise the request goes on, and one for weights that are
     * gone gets the GET's 404, not a 304 (an If-None-Match of "*" matches every tag). Only their existence is checked
     * (one cheap query each), not their bytes: a client whose tag names bytes that are stored but damaged keeps its
     * 304, since its copy is the good one (the tag is their hash); a request without the tag gets the 500 that names
     * the damaged blob.
     */
    private boolean notModified(Context ctx, String tag, String... blobs) {
        if (!matches(ctx.header("If-None-Match"), etag(tag))) return false;
        for (String b : blobs) if (b != null && !log.hasBlob(b)) return false;
        cacheable(ctx, tag).status(HttpStatus.NOT_MODIFIED);
        return true;
    }

    /**
     * Whether an If-None-Match header names {@code etag} (RFC 9110 13.1.2): "*", or a list of tags compared weakly,
     * so that W/"x" matches "x" (a proxy may weaken a tag it passes on).
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) return false;
        if (ifNoneMatch.trim().equals("*")) return true;
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) t = t.substring(2);
            if (t.equals(etag)) return true;
        }
        return false;
    }

    /** The tag and caching headers of an answer; set only on the answer itself, so that no error (400, 429) is cached. */
    private static Context cacheable(Context ctx, String tag) {
        return ctx.header("ETag", etag(tag)).header("Cache-Control", "private, max-age=86400");
    }

    private static String etag(String tag) { return "\"" + tag + "\""; }

    private record Snapshot(EventLog log, String runId, SnapshotRow row, RunEvent.WeightSnapshot w) {
        byte[] bytes() {
            byte[] b = log.blob(row.blob()).orElseThrow(() -> new NotFoundResponse("the weights of run '" + runId + "' at "
                    + log.run(runId).map(GalleryRoutes::stepWord).orElse("epoch") + " " + row.epoch() + " are missing"));
            WeightImages.check(runId, w, b);
            return b;
        }

        float[] w1() { return WeightImages.w1(bytes(), w.hidden(), w.visible()); }
    }
}
