package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;
import sparselab.store.StoreException;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resume from the dashboard just after its log could not be reached (noted 2026-12-04 by a probe of many machines:
 * an outage stops every heartbeat, so every run of a live trainer elsewhere read interrupted the moment the log was back,
 * and a resume took it from its trainer): refused for a heartbeat's lapse after the log answers again, unless the
 * run's trainer beat since; resumable after that.
 */
class ResumeAfterOutageTest {
    @TempDir Path dir;

    @Test
    void a_run_whose_trainer_beat_last_before_the_log_came_back_is_not_resumed_for_a_heartbeat_s_lapse() {
        try (EventLog log = EventLog.open(dir.resolve("outage.db"))) {
            String run = log.create(new RunEvent.Created(ConfigLoader.resolve(null, null, List.of("data=bars")).toMap(), null, null, Map.of(), "cli", null));
            log.claim(run, new RunEvent.Started(1L, "another-machine", 1, 0, "f", Map.of()), r -> true).orElseThrow();
            java.time.Duration lapse = sparselab.log.RunRow.HEARTBEAT_TIMEOUT;     // shortened for the tests (surefire's setting)
            Instant beat = Instant.parse(log.require(run).heartbeatAt());
            Instant now = beat.plus(lapse).plusSeconds(10);              // its heartbeat lapsed: it reads interrupted
            RunActions actions = new RunActions(log, Clock.fixed(now, ZoneOffset.UTC));
            assertDoesNotThrow(() -> actions.requireResumable(run), "no outage seen: resumable");
            actions.logAnsweredAgain(now.minus(lapse.dividedBy(4)));
            StoreException.Conflict refused = assertThrows(StoreException.Conflict.class, () -> actions.requireResumable(run));
            assertTrue(refused.getMessage().contains("the log could not be reached until " + lapse.dividedBy(4).toSeconds() + " s ago")
                    && refused.getMessage().contains("may write again; if it does not, it can be resumed in"), refused.getMessage());
            actions.logAnsweredAgain(now.minus(lapse).minusSeconds(1));   // a lapse since the log came back, and no beat
            assertDoesNotThrow(() -> actions.requireResumable(run));
        }
    }
}
