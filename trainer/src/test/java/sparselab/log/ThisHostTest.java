package sparselab.log;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine's processes in pid namespaces of their own (found 2026-12-04 by a probe of many machines: a worker started
 * with `unshare --pid` on this host, as a container that shares the machine's network and host name; its live run read
 * as interrupted here, since its trainer's pid is no process here, and a resume took it from its trainer) are another
 * host.
 */
class ThisHostTest {
    @Test
    void a_pid_namespace_other_than_the_machine_s_first_is_part_of_the_host_s_name() {
        assertEquals("", ThisHost.namespace("pid:[4026531836]"), "the machine's first namespace: the host name alone");
        assertEquals("~pid4026532201", ThisHost.namespace("pid:[4026532201]"));
        assertEquals("", ThisHost.namespace(""), "no namespace to read (not Linux)");
        assertEquals("", ThisHost.namespace("pid:[99999999999999999999999]"), "not a namespace's inode");
    }

    @Test
    void a_trainer_of_another_namespace_of_this_host_is_never_judged_gone_by_the_pids_here() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        assertTrue(ThisHost.trainerGone(ThisHost.NAME, ended.pid()), "a trainer of this host and namespace whose process ended");
        java.util.regex.Matcher own = java.util.regex.Pattern.compile("~pid(\\d+)$").matcher(ThisHost.NAME);
        long other = own.find() ? Long.parseLong(own.group(1)) + 1 : 4026532201L;     // never this JVM's own
        String otherNamespace = ThisHost.NAME.replaceFirst("~pid\\d+$", "") + "~pid" + other;
        assertFalse(ThisHost.trainerGone(otherNamespace, ended.pid()), "the same pid in another namespace is another process");
        assertFalse(ThisHost.trainerGone(ThisHost.NAME, ProcessHandle.current().pid()), "a live one");
    }
}
