package sparselab.runs;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU note and a trainer child's thread settings. */
class NativeEnvTest {
    @Test
    void a_core_type_weaker_than_the_cpu_gets_one_line_naming_both_and_the_cost() {
        String note = NativeEnv.coreTypeNote("Haswell", Optional.of("SkylakeX")).orElseThrow();
        assertTrue(note.contains("OPENBLAS_CORETYPE=Haswell") && note.contains("SkylakeX") && note.contains("slower"), note);
        assertEquals(1, note.lines().count());
        assertTrue(NativeEnv.coreTypeNote(null, Optional.of("Haswell")).orElseThrow().contains("unset"));
        assertTrue(NativeEnv.coreTypeNote("", Optional.of("Haswell")).orElseThrow().contains("unset"), "an empty value counts as unset");
    }

    @Test
    void the_suggested_type_or_an_unknown_cpu_gets_no_note_and_a_type_above_the_cpu_is_a_warning() {
        assertEquals(Optional.empty(), NativeEnv.coreTypeNote("SkylakeX", Optional.of("SkylakeX")));
        assertEquals(Optional.empty(), NativeEnv.coreTypeNote("skylakex", Optional.of("SkylakeX")));
        assertEquals(Optional.empty(), NativeEnv.coreTypeNote("Haswell", Optional.empty()));
        String note = NativeEnv.coreTypeNote("SkylakeX", Optional.of("Haswell")).orElseThrow();
        assertTrue(note.contains("lack") && !note.contains("weaker"), note);
    }

    @Test
    void a_core_type_openblas_does_not_know_is_called_unknown_not_weaker() {
        String note = NativeEnv.coreTypeNote("Bogus", Optional.of("SkylakeX")).orElseThrow();
        assertEquals("note: OPENBLAS_CORETYPE=Bogus is not a core type OpenBLAS knows, so it picks its own, older than this CPU; "
                + "float32 products run about 1.5-5x slower than with OPENBLAS_CORETYPE=SkylakeX", note);
        assertTrue(NativeEnv.coreTypeNote("sandybridge", Optional.of("SkylakeX")).orElseThrow().contains("weaker"), "a known type in any case");
    }

    @Test
    void a_child_gets_all_cores_for_products_and_one_element_wise_thread_unless_the_user_set_them() {
        Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell"));
        NativeEnv.prepare(env);
        assertEquals("Haswell", env.get("OPENBLAS_CORETYPE"), "a user's core type is kept");
        assertEquals(Integer.toString(Runtime.getRuntime().availableProcessors()), env.get("OMP_NUM_THREADS"));
        assertEquals("1", env.get("SD_MASTER_THREADS"));
        Map<String, String> set = new HashMap<>(Map.of("OMP_NUM_THREADS", "1", "SD_MASTER_THREADS", "2"));
        NativeEnv.prepare(set);
        assertEquals("1", set.get("OMP_NUM_THREADS"));
        assertEquals("2", set.get("SD_MASTER_THREADS"));
    }

    @Test
    void each_trainer_of_several_at_once_gets_the_cores_shared_out_unless_the_user_set_the_threads() {
        assertEquals(1, NativeEnv.threadsEach(2, 2));
        assertEquals(2, NativeEnv.threadsEach(4, 2));
        assertEquals(1, NativeEnv.threadsEach(2, 3), "at least one each");
        assertEquals(8, NativeEnv.threadsEach(8, 1));
        assertEquals(8, NativeEnv.threadsEach(8, 0), "no pool: every core");
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, String> unset = new HashMap<>();
        NativeEnv.prepare(unset, 2);
        assertEquals(Integer.toString(Math.max(1, cores / 2)), unset.get("OMP_NUM_THREADS"));
        assertEquals("1", unset.get(NativeEnv.THREADS_DEFAULTED), "marked as chosen here, for the child's own slots");
        // the launcher's own choice (every core, marked as its own) is shared out too
        Map<String, String> launcher = new HashMap<>(Map.of("OMP_NUM_THREADS", Integer.toString(cores), NativeEnv.THREADS_DEFAULTED, "1"));
        assertTrue(NativeEnv.threadsAreOurs(launcher));
        NativeEnv.prepare(launcher, 2);
        assertEquals(Integer.toString(Math.max(1, cores / 2)), launcher.get("OMP_NUM_THREADS"));
        // the user's is kept
        Map<String, String> user = new HashMap<>(Map.of("OMP_NUM_THREADS", "2"));
        assertTrue(!NativeEnv.threadsAreOurs(user));
        NativeEnv.prepare(user, 4);
        assertEquals("2", user.get("OMP_NUM_THREADS"));
        assertEquals(null, user.get(NativeEnv.THREADS_DEFAULTED));
    }
}
