package sparselab.gallery;

import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.SnapshotRow;
import sparselab.server.Params;

/**
 * Weight images and raw weights of stored snapshots. Snapshots never change (their blobs are content-addressed),
 * so each answer carries an ETag made of the blob hash and the drawing parameters, and may be cached. The units of two
 * snapshots of the same shape can be matched (see {@link UnitMatches}), and a grid drawn in the order of such a match.
 */
public final class GalleryRoutes {
    private final EventLog log;
    private final UnitMatches matches;

    public GalleryRoutes(EventLog log, UnitMatches matches) {
        this.log = log;
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
        ctx.json(matches.match(id, epoch, other, otherEpoch));
    }

    private void grid(Context ctx) {
        Snapshot s = snapshot(ctx);
        int scale = Params.queryInt(ctx, "scale", 2, 1, 8);
        // ?matchTo=RUN&matchEpoch=N: tile i shows the unit matched to that snapshot's unit i
        String to = ctx.queryParam("matchTo");
        int[] order = null;
        String tag = s.row.blob() + "-grid-" + scale;
        if (to != null) {
            int toEpoch = Params.queryInt(ctx, "matchEpoch", -1, 0, Integer.MAX_VALUE);
            if (toEpoch < 0) throw new BadRequestResponse("matchEpoch: missing; give the epoch of matchTo's snapshot");
            order = matches.match(to, toEpoch, ctx.pathParam("id"), s.row.epoch()).units();
            tag += "-match-" + to + "-" + toEpoch;
        }
        if (notModified(ctx, tag)) return;
        byte[] png = WeightImages.grid(s.w1(), s.w.hidden(), s.w.imageRows(), s.w.imageCols(), scale, order);
        ctx.contentType("image/png").result(png);
    }

    private void filter(Context ctx) {
        Snapshot s = snapshot(ctx);
        int unit = Params.pathInt(ctx, "unit", 0, Integer.MAX_VALUE);
        if (unit >= s.w.hidden()) throw new NotFoundResponse("unit: " + unit + " is not a hidden unit (0.." + (s.w.hidden() - 1) + ")");
        int scale = Params.queryInt(ctx, "scale", 12, 1, 32);
        if (notModified(ctx, s.row.blob() + "-unit-" + unit + "-" + scale)) return;
        ctx.contentType("image/png").result(WeightImages.single(s.w1(), unit, s.w.imageRows(), s.w.imageCols(), scale));
    }

    private void weights(Context ctx) {
        Snapshot s = snapshot(ctx);
        if (notModified(ctx, s.row.blob())) return;
        ctx.header("Content-Disposition", "attachment; filename=\"" + ctx.pathParam("id") + "-epoch" + s.row.epoch() + "-weights.bin\"");
        ctx.contentType("application/octet-stream").result(s.bytes);
    }

    private Snapshot snapshot(Context ctx) {
        String id = ctx.pathParam("id");
        int epoch = Params.pathInt(ctx, "epoch", 0, Integer.MAX_VALUE);
        if (log.run(id).isEmpty()) throw new NotFoundResponse("run '" + id + "' not found");
        SnapshotRow row = log.snapshots(id).stream().filter(s -> s.epoch() == epoch).findFirst()
                .orElseThrow(() -> new NotFoundResponse("run '" + id + "' has no weight snapshot at epoch " + epoch));
        byte[] bytes = log.blob(row.blob()).orElseThrow(() -> new NotFoundResponse("the weights of run '" + id + "' at epoch " + epoch + " are missing"));
        RunEvent.WeightSnapshot w = row.event();
        if (w.imageRows() * w.imageCols() != w.visible()) throw new BadRequestResponse("snapshot shape " + w.imageRows() + "x" + w.imageCols() + " does not match " + w.visible() + " inputs");
        return new Snapshot(row, w, bytes);
    }

    private static boolean notModified(Context ctx, String tag) {
        String etag = "\"" + tag + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "private, max-age=86400");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(HttpStatus.NOT_MODIFIED);
            return true;
        }
        return false;
    }

    private record Snapshot(SnapshotRow row, RunEvent.WeightSnapshot w, byte[] bytes) {
        float[] w1() { return WeightImages.w1(bytes, w.hidden(), w.visible()); }
    }
}
