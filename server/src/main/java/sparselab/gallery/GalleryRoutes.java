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
 * so each answer carries an ETag made of the blob hash and the drawing parameters, and may be cached.
 */
public final class GalleryRoutes {
    private final EventLog log;

    public GalleryRoutes(EventLog log) {
        this.log = log;
    }

    public void register(Javalin app) {
        app.get("/api/runs/{id}/snapshots/{epoch}/grid.png", this::grid);
        app.get("/api/runs/{id}/snapshots/{epoch}/filters/{unit}.png", this::filter);
        app.get("/api/runs/{id}/snapshots/{epoch}/weights.bin", this::weights);
    }

    private void grid(Context ctx) {
        Snapshot s = snapshot(ctx);
        int scale = Params.queryInt(ctx, "scale", 2, 1, 8);
        if (notModified(ctx, s.row.blob() + "-grid-" + scale)) return;
        byte[] png = WeightImages.grid(s.w1(), s.w.hidden(), s.w.imageRows(), s.w.imageCols(), scale);
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
