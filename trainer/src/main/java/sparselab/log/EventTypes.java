package sparselab.log;

import java.util.LinkedHashMap;
import java.util.Map;

/** The stored names of the event types: snake_case, stable, documented in docs/events.md. */
public final class EventTypes {
    private EventTypes() {}

    private static final Map<String, Class<? extends RunEvent>> BY_NAME = new LinkedHashMap<>();
    private static final Map<Class<?>, String> BY_CLASS = new LinkedHashMap<>();

    private static void type(String name, Class<? extends RunEvent> c) {
        BY_NAME.put(name, c);
        BY_CLASS.put(c, name);
    }

    static {
        type("created", RunEvent.Created.class);
        type("started", RunEvent.Started.class);
        type("epoch_completed", RunEvent.EpochCompleted.class);
        type("weight_snapshot", RunEvent.WeightSnapshot.class);
        type("checkpoint", RunEvent.Checkpoint.class);
        type("diverged", RunEvent.Diverged.class);
        type("finished", RunEvent.Finished.class);
        type("failed", RunEvent.Failed.class);
        type("cancel_requested", RunEvent.CancelRequested.class);
        type("cancelled", RunEvent.Cancelled.class);
        type("heartbeat", RunEvent.Heartbeat.class);
        type("tagged", RunEvent.Tagged.class);
        type("filter_measures", RunEvent.FilterMeasures.class);
        type("released", RunEvent.Released.class);
        type("refused", RunEvent.Refused.class);
        type("requeued", RunEvent.Requeued.class);
    }

    public static String nameOf(Class<?> c) {
        String n = BY_CLASS.get(c);
        if (n == null) throw new IllegalArgumentException("not an event type: " + c);
        return n;
    }

    public static Class<? extends RunEvent> classOf(String name) {
        Class<? extends RunEvent> c = BY_NAME.get(name);
        if (c == null) throw new IllegalArgumentException("unknown event type in the log: " + name);
        return c;
    }

    public static Iterable<String> names() { return BY_NAME.keySet(); }
}
