package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.Main;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparselab.server.Cli.run;

/** The launcher's command line as a user meets it: help texts, a busy port, the build's output. */
class CommandLineHelpAndServeTest {
    @TempDir Path dir;

    @Test
    void the_command_list_gives_each_command_a_whole_sentence() {
        Cli.Result help = run("--help");
        assertEquals(0, help.code());
        for (String line : help.out().lines().toList()) assertTrue(line.length() <= Main.HELP_WIDTH, line);
        List<String> lines = help.out().lines().toList();
        int from = lines.indexOf("Commands:");
        assertTrue(from > 0, help.out());
        java.util.Map<String, String> entries = new java.util.LinkedHashMap<>();
        String current = null;
        for (String l : lines.subList(from + 1, lines.size())) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^  ([a-z-]+)\\s+(.*)$").matcher(l);
            if (m.matches()) {
                current = m.group(1);
                entries.put(current, m.group(2).trim());
            } else if (current != null && !l.isBlank()) {
                entries.put(current, entries.get(current) + " " + l.trim());
            }
        }
        for (String c : List.of("train", "sweep", "ladder", "runs", "export", "serve", "demo", "bench-api")) {
            assertTrue(entries.containsKey(c), c + " missing: " + help.out());
            assertTrue(entries.get(c).endsWith("."), c + " is cut: " + entries.get(c));
        }
        assertEquals("Queue the ablation ladder from run A to run B, one differing key more per step.", entries.get("ladder"));
        // `help COMMAND` as git's and most tools' (found 2026-12-03 by a walkthrough: "'help' is not a command")
        Cli.Result helpRuns = run("help", "runs");
        assertEquals(0, helpRuns.code(), helpRuns.err());
        assertEquals(run("runs", "--help").out(), helpRuns.out());
    }

    @Test
    void migrate_upgrades_an_older_log_says_so_and_refuses_what_is_no_log() throws Exception {
        String db = dir.resolve("old.db").toString();
        String latest;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(db)) {
            latest = log.schemaVersion();
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.createStatement().execute("DELETE FROM flyway_schema_history WHERE version = '" + latest + "'");
        }
        Cli.Result runs = run("runs", "--db", db);
        assertEquals(2, runs.code(), runs.out());
        assertTrue(runs.err().contains("older than this program's " + latest) && runs.err().contains("`./sparselab migrate"), runs.err());
        Cli.Result up = run("migrate", "--db", db);
        assertEquals(0, up.code(), up.err());
        assertTrue(up.out().contains(db + ": upgraded to schema version " + latest), up.out());
        Cli.Result again = run("migrate", "--db", db);
        assertTrue(again.out().contains(db + ": schema version " + latest + ", up to date"), again.out());
        assertEquals(0, run("runs", "--db", db).code());
        Cli.Result missing = run("migrate", "--db", dir.resolve("none.db").toString());
        assertEquals(2, missing.code(), missing.out());
        assertFalse(Files.exists(dir.resolve("none.db")), "no log was created");
    }

    @Test
    void every_command_s_version_option_prints_the_version() {
        Cli.Result top = run("--version");
        assertEquals(0, top.code());
        assertTrue(top.out().startsWith("sparselab "), top.out());
        // the version a run's provenance records is the one printed (it said "dev": the jars carry no version)
        assertEquals(top.out().strip(), "sparselab " + sparselab.runs.Provenance.current().get("codeVersion"));
        // and the project's version, as Maven builds it (0.1.0-SNAPSHOT is 0.1.0 before its release)
        String pom = assertDoesNotThrow(() -> java.nio.file.Files.readString(java.nio.file.Path.of("..", "pom.xml")));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<artifactId>sparselab-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "the parent pom's version");
        assertEquals(m.group(1).replace("-SNAPSHOT", ""), sparselab.runs.Provenance.VERSION);
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) continue;          // picocli's `help COMMAND`: its one option is --help
            Cli.Result v = run(command, "--version");
            assertEquals(0, v.code(), command + ": " + v.err());
            assertEquals(top.out(), v.out(), command);      // never an empty line for an option its help lists
        }
    }

    @Test
    void a_command_line_that_does_not_parse_gives_its_reason_and_the_synopsis_not_the_whole_help() {
        Cli.Result bad = run("runs", "--limit", "abc");
        assertEquals(2, bad.code());
        List<String> lines = bad.err().lines().toList();
        assertEquals("Invalid value for option '--limit': 'abc' is not an integer", lines.get(0), bad.err());   // the configuration keys' words
        assertTrue(lines.get(1).startsWith("Usage: sparselab runs ["), bad.err());
        assertEquals("(./sparselab runs --help explains every option)", lines.get(lines.size() - 1), bad.err());
        assertFalse(bad.err().contains("only the runs of this group"), "no option's description: " + bad.err());
        Cli.Result typo = run("train", "--sed", "beta=3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("Unknown options: '--sed'") && typo.err().contains("Possible solutions: --set"), typo.err());
        // a configuration key given as an option (noted 2026-12-02 by a new user's walkthrough): how to set it
        Cli.Result key = run("train", "--epochs", "3", "--Beta=0.5");
        assertEquals(2, key.code());
        assertTrue(key.err().contains("--epochs: a configuration key; set it with --set epochs=3")
                && key.err().contains("--Beta=0.5: a configuration key; set it with --set beta=0.5"), key.err());
        assertFalse(run("runs", "--epochs", "3").err().contains("a configuration key"), "runs takes no --set");
        Cli.Result command = run("trian");
        assertEquals(2, command.code());
        assertTrue(command.err().contains("Did you mean: sparselab train") && command.err().contains("(./sparselab --help lists the commands)"),
                command.err());
        assertTrue(command.err().contains("'trian' is not a command of sparselab"), command.err());
        // a word close to no command (noted 2026-12-02 by a new user's walkthrough: picocli's "Unmatched argument at
        // index 0" alone): said in words, then the commands
        Cli.Result bogus = run("bogus");
        assertEquals(2, bogus.code());
        assertTrue(bogus.err().contains("'bogus' is not a command of sparselab") && bogus.err().contains("Commands:"), bogus.err());
    }

    @Test
    void no_command_is_an_incomplete_command_line_exit_2_with_the_usage_on_stderr() {
        Cli.Result none = run();
        assertEquals(2, none.code(), none.out());
        assertTrue(none.err().contains("a command is needed") && none.err().contains("Usage: sparselab"), none.err());
        assertTrue(none.out().isEmpty(), none.out());
    }

    @Test
    void cancel_cancels_a_queued_run_at_once_asks_a_running_one_and_refuses_unknown_or_ended_runs() {
        Path db = dir.resolve("cancel.db");
        String queued, running;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(db)) {
            queued = Fixtures.queued(log, java.util.Map.of("data", "bars"));
            running = Fixtures.queued(log, java.util.Map.of("data", "bars"));
            log.claim(running, new sparselab.log.RunEvent.Started(ProcessHandle.current().pid(), sparselab.runs.Provenance.host(), 1, 0,
                    null, java.util.Map.of()), r -> true).orElseThrow();
        }
        Cli.Result unknown = run("cancel", "--db", db.toString(), queued, "r0000000000");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("r0000000000"), unknown.err());
        Cli.Result ok = run("cancel", "--db", db.toString(), queued, running);
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains(queued + " cancelled"), ok.out());
        assertTrue(ok.out().contains(running + " cancel requested"), ok.out());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals("cancelled", log.require(queued).status());
            assertTrue(log.require(running).cancelRequested());
            assertEquals("running", log.require(running).status());
            assertEquals("cli", log.events(queued).stream().map(e -> e.event())
                    .filter(e -> e instanceof sparselab.log.RunEvent.CancelRequested).map(e -> ((sparselab.log.RunEvent.CancelRequested) e).by())
                    .findFirst().orElse(""));
        }
        Cli.Result askedAgain = run("cancel", "--db", db.toString(), running);    // succeeds, says that nothing new is written
        assertEquals(0, askedAgain.code(), askedAgain.err());
        assertTrue(askedAgain.out().startsWith(running + " cancel asked already (nothing new written): its trainer reads it"), askedAgain.out());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals(1, log.events(running).stream().filter(e -> e.event() instanceof sparselab.log.RunEvent.CancelRequested).count());
        }
        // cancelled already: said so, nothing written, exit 0 (found 2026-12-03 by a walkthrough: a script's second
        // cancel of a run failed with exit 2)
        int eventsBefore;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            eventsBefore = log.events(queued).size();
        }
        Cli.Result again = run("cancel", "--db", db.toString(), queued);
        assertEquals(0, again.code(), again.err());
        assertEquals(queued + " cancelled already (nothing new written)", again.out().strip());
        String other, finished;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals(eventsBefore, log.events(queued).size());
            other = Fixtures.queued(log, java.util.Map.of("data", "bars"));
            finished = Fixtures.queued(log, java.util.Map.of("data", "bars"));
            log.append(finished, new sparselab.log.RunEvent.Started(1, "h", 1, 0, "f00d", java.util.Map.of()));
            log.append(finished, new sparselab.log.RunEvent.Finished(1, 0.5, 0.25));
        }
        Cli.Result done = run("cancel", "--db", db.toString(), finished);
        assertEquals(2, done.code());
        assertTrue(done.err().contains("run '" + finished + "' is finished; there is nothing to cancel"), done.err());
        Cli.Result mixed = run("cancel", "--db", db.toString(), other, other, finished);   // one id finished: nothing is cancelled
        assertEquals(2, mixed.code());
        // each id at fault named, not the first alone (found 2026-12-03 by a walkthrough: `cancel ENDED rNOPE` named the first)
        Cli.Result both = run("cancel", "--db", db.toString(), finished, "r0000000000");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("run '" + finished + "' is finished; there is nothing to cancel; no run r0000000000 in ")
                && both.err().contains("(nothing was cancelled)"), both.err());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals("queued", log.require(other).status());
        }
        assertEquals(0, run("cancel", "--db", db.toString(), other, other).code());        // an id given twice: once
    }

    /**
     * {@code tag}: the run page's tags from the terminal (noted 2026-12-03 by a walkthrough: tags could be set only in
     * the dashboard or the API, and `runs` did not show them). Added after those the run has, removed, shown; a bad
     * tag or too many is refused naming it, with nothing written; `runs` lists them and `runs -q TAG` finds the run.
     */
    @Test
    void tag_adds_removes_and_shows_a_runs_tags_and_runs_lists_them() {
        Path db = dir.resolve("tag.db");
        String id, other;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.open(db)) {
            id = Fixtures.queued(log, java.util.Map.of("data", "bars"));
            other = Fixtures.queued(log, java.util.Map.of("data", "bars"));
        }
        Cli.Result none = run("tag", "--db", db.toString(), id);
        assertEquals(0, none.code(), none.err());
        assertEquals(id + " has no tags", none.out().strip());
        Cli.Result added = run("tag", "--db", db.toString(), id, "--add", "baseline,strokes", "--add", "seed:1");
        assertEquals(0, added.code(), added.err());
        assertEquals(id + " tags: baseline, strokes, seed:1", added.out().strip());
        Cli.Result edited = run("tag", "--db", db.toString(), id, "--remove", "strokes", "--remove", "never-had", "--add", "beta3");
        assertEquals(0, edited.code(), edited.err());
        assertEquals(id + " tags: baseline, seed:1, beta3", edited.out().strip());
        // the tag it did not have is said, on stderr (found 2026-12-03 by a walkthrough: a mistyped tag went unnoticed)
        assertEquals("note: " + id + " had no tag never-had; nothing to remove for it", edited.err().strip());
        assertEquals(id + " tags: baseline, seed:1, beta3", run("tag", "--db", db.toString(), id).out().strip());
        // a tag to remove is only compared: one no run could have, or more than a run may hold, is no error
        java.util.List<String> gone = new java.util.ArrayList<>(List.of("no such tag!"));
        for (int i = 0; i < 21; i++) gone.add("x" + i);
        Cli.Result removeMany = run("tag", "--db", db.toString(), id, "--remove", String.join(",", gone));
        assertEquals(0, removeMany.code(), removeMany.err());
        assertEquals(id + " tags: baseline, seed:1, beta3", removeMany.out().strip());
        assertTrue(removeMany.err().strip().startsWith("note: " + id + " had no tag no such tag!, x0, x1,")
                && removeMany.err().strip().endsWith(" and 14 more; nothing to remove for them"), removeMany.err());
        int events;
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals(List.of("baseline", "seed:1", "beta3"), log.require(id).tagList());
            events = log.events(id).size();
        }
        Cli.Result bad = run("tag", "--db", db.toString(), id, "--add", "ok", "--add", "no spaces");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("'no spaces' is not a tag (1 to 40 letters, digits or _.:+-, not starting with -)"), bad.err());
        // a tag both added and removed, and one starting with '-' (found 2026-12-04 by a new user: the add was dropped
        // without a word; `runs -q -x` reads such a tag as an option): refused, nothing written
        Cli.Result both = run("tag", "--db", db.toString(), id, "--add", "x", "--remove", "x");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("'x' is both added and removed; give it to one of the two"), both.err());
        Cli.Result dash = run("tag", "--db", db.toString(), id, "--add=-x");
        assertEquals(2, dash.code(), dash.err());
        assertTrue(dash.err().contains("'-x' is not a tag"), dash.err());
        // a bad tag is refused before the log is opened, with no database message (found 2026-12-03: an old log was upgraded first)
        Cli.Result badOnly = run("tag", "--db", dir.resolve("none.db").toString(), id, "--add", "no spaces");
        assertEquals(2, badOnly.code(), badOnly.err());
        assertTrue(badOnly.err().contains("'no spaces' is not a tag"), "the tag, not the missing log: " + badOnly.err());
        // `--add ,` names no tag: refused, not a silent show (found the same day)
        for (String commas : List.of(",", ",,")) {
            Cli.Result empty = run("tag", "--db", db.toString(), id, "--add", commas);
            assertEquals(2, empty.code(), empty.out() + empty.err());
            assertTrue(empty.err().contains("--add: no tag in"), empty.err());
        }
        // an empty tag anywhere in a list, at its end too (picocli dropped a trailing one, so "a," was taken and ",a" not)
        for (String list : List.of("a,", ",a", "a,,b")) {
            Cli.Result gap = run("tag", "--db", db.toString(), id, "--add", list);
            assertEquals(2, gap.code(), gap.out() + gap.err());
            assertTrue(gap.err().contains("--add: an empty tag in the list '" + list + "'"), gap.err());
        }
        java.util.List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 18; i++) many.add("t" + i);
        Cli.Result tooMany = run("tag", "--db", db.toString(), id, "--add", String.join(",", many));
        assertEquals(2, tooMany.code(), tooMany.err());
        assertTrue(tooMany.err().contains("at most 20 tags; run " + id + " would have 21"), tooMany.err());
        Cli.Result unknown = run("tag", "--db", db.toString(), "r0000000000", "--add", "x");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("r0000000000"), unknown.err());
        try (sparselab.store.EventLog log = sparselab.store.EventLog.openExisting(db.toString())) {
            assertEquals(events, log.events(id).size(), "a refused tag writes nothing");
        }
        Cli.Result runs = run("runs", "--db", db.toString());
        assertEquals(0, runs.code(), runs.err());
        String header = runs.out().lines().findFirst().orElseThrow();
        assertTrue(header.strip().endsWith("tags"), header);
        String row = runs.out().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow();
        assertTrue(row.strip().endsWith(" baseline,seed:1,beta3"), runs.out());
        assertTrue(runs.out().lines().filter(l -> l.startsWith(other)).findFirst().orElseThrow().strip().endsWith(" -"), runs.out());
        Cli.Result found = run("runs", "--db", db.toString(), "-q", "beta3");
        assertTrue(found.out().contains(id) && !found.out().contains(other), found.out());
    }

    @Test
    void serve_s_stop_message_names_the_trainers_that_go_on_and_how_to_stop_them() {
        Path logs = dir.resolve("logs");
        assertEquals("sparselab dashboard stopped; no trainer was running", ServeCommand.stopMessage(List.of(), true, logs));
        String two = ServeCommand.stopMessage(List.of("r1111111111", "r2222222222"), true, logs);
        assertTrue(two.contains("the trainers of runs r1111111111, r2222222222 go on training in the background"), two);
        assertTrue(two.endsWith("`./sparselab cancel r1111111111 r2222222222` stops them"), two);
        assertTrue(ServeCommand.stopMessage(List.of("r1111111111"), true, logs).endsWith("`./sparselab cancel r1111111111` stops it"));
    }

    /**
     * Ctrl-C on serve with a PostgreSQL log said "output in logs/ beside the log", but a PostgreSQL log is no file:
     * the output is in logs/ of the folder serve was started in. The message names the folder the trainers write to.
     */
    @Test
    void serve_s_stop_message_names_the_absolute_folder_of_the_trainers_output_for_a_postgresql_log_too() {
        String pg = ServeCommand.stopMessage(List.of("r1111111111"), true,
                sparselab.runs.BackgroundTrainer.logs("postgresql://sparselab@db.example:5432/sparselab"));
        String cwdLogs = Path.of("logs").toAbsolutePath().toString();
        assertTrue(pg.contains("goes on training in the background (output in " + cwdLogs + java.io.File.separator + ");"), pg);
        assertFalse(pg.contains("beside the log"), pg);
        String sqlite = ServeCommand.stopMessage(List.of("r1111111111"), true,
                sparselab.runs.BackgroundTrainer.logs(dir.resolve("runs.db").toString()));
        assertTrue(sqlite.contains("(output in " + dir.resolve("logs").toAbsolutePath() + java.io.File.separator + ");"), sqlite);
    }

    @Test
    void ladder_help_breaks_lines_only_between_sentences_or_where_a_line_is_full() {
        Cli.Result help = run("ladder", "--help");
        assertEquals(0, help.code());
        List<String> lines = help.out().lines().toList();
        int start = 1;   // after the usage line and its indented continuations, the description: unindented lines
        while (start < lines.size() && lines.get(start).startsWith(" ")) start++;
        List<String> description = new java.util.ArrayList<>();
        for (int i = start; i < lines.size() && !lines.get(i).isBlank() && !lines.get(i).startsWith(" "); i++) description.add(lines.get(i));
        assertTrue(description.size() >= 5, help.out());
        for (String l : description) {
            boolean sentenceEnd = l.endsWith(".") || l.endsWith(":");
            boolean full = l.length() > Main.HELP_WIDTH - 25;
            assertTrue(sentenceEnd || full, "a line broken mid-sentence: '" + l + "'");
        }
        assertTrue(String.join(" ", description).contains("Prints the group name, then one line per step."));
    }

    @Test
    void serve_and_demo_refuse_an_empty_host_which_would_bind_every_address() throws Exception {
        Path db = dir.resolve("host.db");
        for (String command : List.of("serve", "demo")) {
            Cli.Result r = run(command, "--db", db.toString(), "--port", "0", "--host", "");
            assertEquals(2, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("--host: empty; nothing was created") && r.err().contains("127.0.0.1"), r.err());
            assertEquals(0, Files.list(dir).count(), command + ": nothing at all was created");
        }
    }

    @Test
    void serve_and_demo_on_a_busy_port_create_nothing_and_suggest_port_0() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = busy.getLocalPort();
            Path db = dir.resolve("serve.db");
            Cli.Result serve = run("serve", "--db", db.toString(), "--port", Integer.toString(port));
            assertEquals(2, serve.code(), serve.err());
            assertTrue(serve.err().contains("--port 0"), serve.err());
            assertFalse(Files.exists(db), "no log file was created");
            assertEquals(0, Files.list(dir).count(), "nothing at all was created");
            Cli.Result demo = run("demo", "--db", db.toString(), "--port", Integer.toString(port));
            assertEquals(2, demo.code(), demo.err());
            assertTrue(demo.err().contains("--port 0"), demo.err());
            assertFalse(Files.exists(db));
        }
    }

    @Test
    void serve_on_an_address_that_is_not_this_machine_s_says_so_not_that_a_dashboard_runs_there() throws Exception {
        Path db = dir.resolve("serve.db");
        Cli.Result unknown = run("serve", "--db", db.toString(), "--port", "0", "--host", "999.1.1.1");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("--host: '999.1.1.1' is no address or host name this machine can resolve"), unknown.err());
        Cli.Result foreign = run("serve", "--db", db.toString(), "--port", "0", "--host", "192.0.2.1");     // an address of no machine here
        assertEquals(2, foreign.code(), foreign.err());
        assertTrue(foreign.err().contains("cannot listen on 192.0.2.1:0") && foreign.err().contains("Give an address of this machine"), foreign.err());
        for (Cli.Result r : List.of(unknown, foreign)) assertFalse(r.err().contains("already running"), r.err());
        assertFalse(Files.exists(db), "no log file was created");
    }

    @Test
    void a_demo_of_beta_0_is_refused_before_anything_is_fetched_or_created_and_a_key_set_twice_takes_the_last() throws Exception {
        Path db = dir.resolve("demo0.db");
        Cli.Result demo = run("demo", "--db", db.toString(), "--port", "0", "--set", "beta=0");
        assertEquals(2, demo.code(), demo.err());
        assertTrue(demo.err().contains("--set beta=0") && demo.err().contains("non-sparse twin"), demo.err());
        // the demo's own data=mnist lies under the user's settings: a --set data=... is the user's one value, not a key
        // given twice; one the user gives twice takes the last, and a note says so
        Cli.Result own = run("demo", "--db", db.toString(), "--port", "0", "--set", "data=bars", "--set", "beta=0");
        assertEquals(2, own.code(), own.err());
        assertTrue(own.err().contains("--set beta=0") && !own.err().contains("given 2 times"), own.err());
        Cli.Result twice = run("demo", "--db", db.toString(), "--port", "0", "--set", "beta=1", "--set", "beta=0");
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("note: --set beta given 2 times ('1', '0'): the last, '0', is used")
                && twice.err().contains("--set beta=0: the demo compares"), twice.err());
        assertFalse(Files.exists(db), "no log file was created");
    }

    @Test
    void bench_api_refuses_a_bad_option_in_one_line_before_any_work() {
        // each command line, and the start of its one line: a bad size was taken, or refused after the log was filled
        java.util.Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put(List.of("--backend", "bogus"), "refused: --backend: 'bogus' is not known; known: sqlite, postgresql, both");
        refusals.put(List.of("--runs", "-5"), "refused: --runs: -5 is out of range");
        refusals.put(List.of("--runs", "0"), "refused: --runs: 0 is out of range");
        refusals.put(List.of("--hidden", "0", "--epochs", "0"), "refused: --epochs: 0 is out of range");
        refusals.put(List.of("--hidden", "0"), "refused: --hidden: 0 is out of range");
        refusals.put(List.of("--hidden", "10001"), "refused: --hidden: 10001 is out of range");
        refusals.forEach((args, said) -> {
            List<String> line = new java.util.ArrayList<>(List.of("bench-api"));
            line.addAll(args);
            Cli.Result r = run(line.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.out() + r.err());
            assertEquals("", r.out(), args + ": nothing filled or timed");
            assertEquals(1, r.err().lines().count(), args + ": " + r.err());
            assertTrue(r.err().startsWith(said), args + ": " + r.err());
        });
        Cli.Result help = run("bench-api", "--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("one of sqlite, postgresql, both"), help.out());
    }

    @Test
    void bench_api_on_small_sizes_times_the_api_and_leaves_no_folder_behind() {
        Cli.Result r = run("bench-api", "--runs", "1", "--epochs", "2", "--hidden", "2", "--backend", "sqlite");
        assertEquals(0, r.code(), r.out() + r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("== sqlite: (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        Path log = Path.of(m.group(1));
        assertTrue(log.getParent().getFileName().toString().startsWith("sparselab-bench"), log.toString());
        assertFalse(Files.exists(log.getParent()), "the bench's folder " + log.getParent() + " is left");
        assertTrue(r.out().contains("GET /api/compare (8 runs x 2 epochs)") && r.out().contains("median"), r.out());
    }

    /** The repository's root: the folder with the sparselab launcher, from the test's working folder up. */
    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("sparselab"))) root = root.getParent();
        assertTrue(root != null, "the repository root (with the sparselab launcher)");
        return root;
    }

    @Test
    void the_launchers_maven_build_prints_no_escape_codes() throws Exception {
        Path root = repositoryRoot();
        String script = Files.readString(root.resolve("sparselab"));
        assertTrue(script.contains("mvn -B -q"), "the launcher builds in batch mode, quietly");
        // the same Maven, from the repository root, as the launcher calls it (.mvn/jvm.config applies to both)
        Process p = new ProcessBuilder("mvn", "-B", "-q", "-o", "-N", "validate").directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("\u001b"), "escape codes in the build output: " + out.replace("\u001b", "ESC"));
    }

    @Test
    void the_launcher_rebuilds_for_its_own_modules_sources_not_for_another_checkout_inside_it() throws Exception {
        Path root = repositoryRoot();
        // a checkout whose jar is built, with a mvn that only says it ran and a java that does nothing
        Path home = Files.createDirectories(dir.resolve("built"));
        Files.copy(root.resolve("sparselab"), home.resolve("sparselab"));
        Path source = Files.createDirectories(home.resolve("trainer/src/main/java")).resolve("A.java");
        Files.writeString(source, "class A {}");
        Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.createDirectories(home.resolve("server/target/lib"));
        Files.writeString(home.resolve("server/target/lib/sparselab-trainer-0.jar"), "trainer jar");
        Path jar = Files.writeString(home.resolve("server/target/sparselab.jar"), "jar");
        // another version of the project checked out inside this one (a git worktree, say), newer than the jar
        Path nested = Files.createDirectories(home.resolve("old/trainer/src"));
        Files.writeString(home.resolve("old/pom.xml"), "<project/>");
        Files.writeString(nested.resolve("B.java"), "class B {}");
        java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        for (Path f : List.of(source, home.resolve("pom.xml"))) Files.setLastModifiedTime(f, past);
        java.nio.file.attribute.FileTime later = java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000);
        for (Path f : List.of(home.resolve("old/pom.xml"), nested.resolve("B.java"))) Files.setLastModifiedTime(f, later);
        Path bin = Files.createDirectories(dir.resolve("bin-built"));
        Files.writeString(bin.resolve("java"), "#!/bin/sh\nexit 0\n");
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho MVN-RAN\nexit 0\n");
        for (Path f : List.of(home.resolve("sparselab"), bin.resolve("java"), bin.resolve("mvn"))) assertTrue(f.toFile().setExecutable(true));
        java.util.function.Supplier<String> run = () -> {
            try {
                ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("sparselab").toString(), "runs").redirectErrorStream(true);
                pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "the launcher ran its java: " + out);
                return out;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String out = run.get();
        assertFalse(out.contains("MVN-RAN"), "the nested checkout's newer files start no build: " + out);
        // the source edited after the last build (both in the past: the launcher's touch of the jar is "now")
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 30_000));
        out = run.get();
        assertTrue(out.contains("MVN-RAN"), "a source of its own module newer than the jar does: " + out);
        // Maven leaves an up-to-date jar untouched (this mvn writes nothing, as Maven did after a change to a test alone):
        // the launcher marks the jar built, so the next start builds nothing (found 2026-12-01: every start built again)
        out = run.get();
        assertFalse(out.contains("MVN-RAN"), "built once, not at every start: " + out);
        Path test = Files.createDirectories(home.resolve("trainer/src/test/java")).resolve("ATest.java");
        Files.writeString(test, "class ATest {}");
        Files.setLastModifiedTime(test, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));
        out = run.get();
        assertFalse(out.contains("MVN-RAN"), "a test source is not in the jar: it starts no build: " + out);
    }

    /** A copy of the launcher in its own folder, and {@code sparselab runs} started there with the fakes first on the PATH. */
    private record FakeLauncher(Path home, ProcessBuilder runs) {}

    /**
     * The launcher alone in folder checkout{@code suffix}, with a java whose body is {@code javaScript} and a mvn that
     * makes empty jars (in bin{@code suffix}).
     */
    private FakeLauncher fakeLauncher(String suffix, String javaScript) throws java.io.IOException {
        String tail = suffix.isEmpty() ? "" : "-" + suffix;
        Path home = Files.createDirectories(dir.resolve("checkout" + tail));
        Files.copy(repositoryRoot().resolve("sparselab"), home.resolve("sparselab"));
        Path bin = Files.createDirectories(dir.resolve("bin" + tail));
        Files.writeString(bin.resolve("java"), "#!/bin/sh\n" + javaScript + "\n");
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\nmkdir -p server/target/lib && touch server/target/sparselab.jar "
                + "server/target/lib/sparselab-trainer-0.jar server/target/lib/library-1.jar\n");
        for (Path f : List.of(home.resolve("sparselab"), bin.resolve("java"), bin.resolve("mvn"))) assertTrue(f.toFile().setExecutable(true));
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("sparselab").toString(), "runs").redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        return new FakeLauncher(home, pb);
    }

    @Test
    void the_launcher_marks_a_thread_count_it_chose_so_that_pools_may_share_it_and_keeps_the_users() throws Exception {
        ProcessBuilder pb = fakeLauncher("threads", "echo \"OMP=$OMP_NUM_THREADS DEFAULTED=${SPARSELAB_OMP_DEFAULT-unset}\"").runs();
        pb.environment().remove("OMP_NUM_THREADS");
        pb.environment().remove(sparselab.runs.NativeEnv.THREADS_DEFAULTED);
        Process p = pb.start();
        String chosen = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("OMP=")).findFirst().orElse("");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Process nproc = new ProcessBuilder("nproc").start();
        String cores = new String(nproc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals("OMP=" + cores + " DEFAULTED=1", chosen, "unset: every core, marked as the launcher's choice");
        pb.environment().put("OMP_NUM_THREADS", "3");      // the user's, with a marker left in the environment by mistake
        pb.environment().put(sparselab.runs.NativeEnv.THREADS_DEFAULTED, "1");
        p = pb.start();
        String kept = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("OMP=")).findFirst().orElse("");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("OMP=3 DEFAULTED=unset", kept, "the user's count is kept and not marked");
    }

    @Test
    void the_launcher_appends_SPARSELAB_JAVA_OPTS_after_its_jvm_defaults() throws Exception {
        Path root = repositoryRoot();
        // the launcher alone in a folder, with a java that prints its arguments and a mvn that makes empty jars
        FakeLauncher fake = fakeLauncher("", "for a in \"$@\"; do echo \"$a\"; done");
        Path home = fake.home();
        ProcessBuilder pb = fake.runs();
        pb.environment().put("SPARSELAB_JAVA_OPTS", "-Dsparselab.checkpointSeconds=0 -Xmx5g");
        Process p = pb.start();
        List<String> args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), args.toString());
        List<String> defaults = new java.util.ArrayList<>(List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=4G"));
        defaults.addAll(sparselab.runs.NativeEnv.HEAP_SHAPING);     // the trainer processes' heap flags, the same here
        for (String flag : defaults) {
            assertTrue(args.contains(flag), "the default " + flag + " is kept: " + args);
        }
        assertTrue(args.indexOf("-XX:+UnlockExperimentalVMOptions") < args.indexOf("-XX:G1ExpandByPercentOfAvailable=2"), args.toString());
        assertTrue(args.contains("-Dsparselab.checkpointSeconds=0"), args.toString());
        assertTrue(args.indexOf("-Xmx5g") > args.indexOf("-Xmx3g"), "the user's -Xmx comes later, so it wins: " + args);
        assertTrue(args.indexOf("-Xmx5g") < args.indexOf("sparselab.Main"), args.toString());
        assertEquals("runs", args.get(args.size() - 1));
        assertFalse(args.contains("--add-modules"), "runs trains nothing: no vector module, no JVM note on stderr: " + args);
        // the class path: the project's jars from their snapshot, the libraries where the build put them
        String classPath = args.get(args.indexOf("-cp") + 1);
        java.util.regex.Matcher snapshot = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(home + "/server/target/run/")
                + "[0-9a-f]{16}/").matcher(classPath);
        assertTrue(snapshot.find(), classPath);
        String snap = snapshot.group();
        assertEquals(java.util.Set.of(snap + "sparselab-trainer-0.jar", snap + "sparselab.jar", home + "/server/target/lib/library-1.jar"),
                java.util.Set.of(classPath.split(":")), classPath);

        pb.command("bash", home.resolve("sparselab").toString(), "train", "--set", "epochs=1");
        p = pb.start();
        args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        int i = args.indexOf("--add-modules");
        assertTrue(i >= 0 && args.get(i + 1).equals(sparselab.model.Elementwise.MODULE), "train loads the vector module: " + args);
        assertTrue(i < args.indexOf("sparselab.Main"), args.toString());

        pb.command("bash", home.resolve("sparselab").toString(), "train", "--help");
        p = pb.start();
        args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertFalse(args.contains("--add-modules"), "help trains nothing: no module, no JVM note before the usage: " + args);
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Djava.library.path=")), "no products' OpenBLAS built here: the bundled one: " + args);

        // the products' OpenBLAS the build unpacked (docs/performance.md): loaded from its folder, named by the pom's version
        Files.copy(root.resolve("pom.xml"), home.resolve("pom.xml"));
        String version = sparselab.runs.NativeEnv.productsVersion();
        Path folder = Files.createDirectories(home.resolve("server/target/openblas-" + version));
        Files.writeString(folder.resolve("libopenblas.so.0"), "");
        pb.command("bash", home.resolve("sparselab").toString(), "runs");
        p = pb.start();
        args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(args.contains("-Djava.library.path=" + folder) && args.contains("-Dorg.bytedeco.javacpp.pathsFirst=true"), args.toString());
        assertTrue(args.indexOf("-Dorg.bytedeco.javacpp.pathsFirst=true") < args.indexOf("sparselab.Main"), args.toString());
    }

    @Test
    void train_and_sweep_help_list_every_preset() {
        for (String command : List.of("train", "sweep")) {
            Cli.Result help = run(command, "--help");
            assertEquals(0, help.code());
            String text = help.out().replaceAll("\\s+", " ");
            String names = String.join(", ", sparselab.config.Presets.names());
            assertTrue(text.contains("--preset=<preset> a named recipe: " + names), command + ": " + help.out());
            assertTrue(names.contains("ufldl-sgd"), names);
        }
    }

    @Test
    void serve_and_demo_refuse_an_allow_host_that_is_no_host_name_before_anything_is_created() {
        Path db = dir.resolve("allow.db");
        for (String bad : List.of("evil.example/x", "a b", "")) {
            for (String command : List.of("serve", "demo")) {
                Cli.Result r = run(command, "--db", db.toString(), "--port", "0", "--allow-host", bad);
                assertEquals(2, r.code(), command + ": " + r.out() + r.err());
                assertTrue(r.err().contains("--allow-host: '" + bad + "' is not a host name or address"), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertFalse(Files.exists(db), "nothing was created");
            }
        }
    }
    /**
     * Numbers are written the same whatever the machine's locale: a decimal point and no grouping by locale (a German
     * locale wrote the loss as 5,8704 in `runs` beside a stroke share of 0.000, and a trainer's lines with commas).
     */
    @Test
    void numbers_are_written_with_a_decimal_point_in_any_locale() throws Exception {
        Path db = dir.resolve("locale.db");
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder said = new StringBuilder();
        for (List<String> args : List.of(List.of("train", "--db", db.toString(), "--set", "data=bars", "--set", "hidden=2", "--set", "epochs=1"),
                List.of("runs", "--db", db.toString()))) {
            List<String> cmd = new java.util.ArrayList<>(List.of(jvm, "-Duser.language=de", "-Duser.country=DE", "--add-modules", "jdk.incubator.vector",
                    "-cp", System.getProperty("java.class.path"), "sparselab.Main"));
            cmd.addAll(1, sparselab.runs.NativeEnv.openblasFlags());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            said.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), said.toString());
            assertEquals(0, p.exitValue(), said.toString());
        }
        String out = said.toString();
        // the trainer's line ("loss 6.8438 recon ...") and the runs table's loss and held-out error
        java.util.regex.Matcher loss = java.util.regex.Pattern.compile("loss (\\S+)").matcher(out);
        assertTrue(loss.find(), out);
        assertTrue(loss.group(1).matches("\\d+\\.\\d+"), loss.group(1) + " in\n" + out);
        String row = out.lines().filter(l -> l.contains("finished") && l.contains("bars")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertFalse(row.matches(".*\\d,\\d.*"), row);
        assertTrue(row.matches(".*\\s\\d+\\.\\d+\\s+\\d+\\.\\d+\\s.*"), row);     // the loss and held-out error, 4 digits as the pages write them
    }

    /** serve warns that anyone who can reach the address can launch runs unless it is this machine's loopback, however written. */
    @Test
    void the_loopback_is_known_however_it_is_written() {
        for (String h : List.of("127.0.0.1", "localhost", "LOCALHOST", "127.0.0.2", "::1", "0:0:0:0:0:0:0:1")) {
            assertTrue(ServeCommand.loopback(h), h);
        }
        for (String h : List.of("0.0.0.0", "::", "192.0.2.1", "no-such-host.invalid")) assertFalse(ServeCommand.loopback(h), h);
    }
}
