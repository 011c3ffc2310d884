package sparselab.runs;

import java.util.List;
import java.util.Map;

/**
 * One run with everything its page shows besides the timeline.
 *
 * @param summary         the runs-table view
 * @param config          every configuration key with its canonical text
 * @param dataFingerprint SHA-256 of the data set, once known
 * @param snapshotEpochs  epochs with a weight snapshot
 * @param checkpointEpoch the epoch of the latest checkpoint, or null
 * @param actions         which actions apply now: cancel, resume, twin, clone
 * @param worker          the worker (name) that trains or last trained the run
 * @param lease           the run's current lease: how many times a trainer claimed it
 * @param twinId          its non-sparse twin (RunActions#twinOf), or null
 * @param sparseIds       for a run with beta = 0: the runs of its group whose non-sparse twin it is, newest first
 * @param ignored         the configuration keys that have no effect on this run's training, each with the reason
 */
public record RunDetail(RunView summary, Map<String, String> config, String dataFingerprint, Long pid, String host,
                        String heartbeatAt, List<Integer> snapshotEpochs, Integer checkpointEpoch, List<String> actions,
                        String worker, long lease, String twinId, List<String> sparseIds,
                        Map<String, String> ignored) {}
