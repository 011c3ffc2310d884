package sparselab.server;

import sparselab.launch.TrainerSpawner;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A spawner that starts no JVM: it records which runs it was asked to start and hands out processes a test ends. */
final class FakeTrainers implements TrainerSpawner {
    /** One recorded start, and the pool that asked for it. */
    record Start(String runId, boolean resume, String pool, FakeProcess process) {}

    final List<Start> starts = new ArrayList<>();

    @Override
    public synchronized Process spawn(String runId, boolean resume, String pool) {
        FakeProcess p = new FakeProcess(1000 + starts.size());
        starts.add(new Start(runId, resume, pool, p));
        return p;
    }

    synchronized List<String> runIds() { return starts.stream().map(Start::runId).toList(); }

    /** A process that is alive until {@link #exit()}. */
    static final class FakeProcess extends Process {
        private final long pid;
        private volatile boolean alive = true;

        FakeProcess(long pid) { this.pid = pid; }

        void exit() { alive = false; }

        @Override public OutputStream getOutputStream() { return OutputStream.nullOutputStream(); }
        @Override public InputStream getInputStream() { return new ByteArrayInputStream(new byte[0]); }
        @Override public InputStream getErrorStream() { return new ByteArrayInputStream(new byte[0]); }
        @Override public int waitFor() { return 0; }
        @Override public boolean waitFor(long timeout, TimeUnit unit) { return !alive; }
        @Override public int exitValue() { if (alive) throw new IllegalThreadStateException(); return 0; }
        @Override public void destroy() { alive = false; }
        @Override public boolean isAlive() { return alive; }
        @Override public long pid() { return pid; }
    }
}
