package sparselab.runs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.cli.DbOption;
import sparselab.store.EventLog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sparselab tag RUN [--add TAG] [--remove TAG]}: the runs page's tags, from the terminal. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Show a run's tags, or add and remove some (as the runs page's tags button does; `runs` lists them, "
                + "and `runs -q TAG`, as the dashboard's filter, finds the runs with a tag).",
                "A tag is 1 to 40 letters, digits or _.:+-; a run has at most 20."})
public class TagCommand implements Callable<Integer> {
    @Mixin DbOption db;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "RUN", description = "the run id (`runs` lists them)") String runId;
    @Option(names = "--add", paramLabel = "TAG", split = ",", description = "add a tag (repeatable, or several apart by commas)")
    List<String> add = new ArrayList<>();
    @Option(names = "--remove", paramLabel = "TAG", split = ",", description = "remove a tag (repeatable, or several apart by commas); one the run does not have is no error")
    List<String> remove = new ArrayList<>();

    @Override
    public Integer call() {
        // the tags are checked before the log is opened: a refused tag leaves the log as it was (not even upgraded)
        var pr = spec.commandLine().getParseResult();
        for (String option : List.of("--add", "--remove")) {
            if (!pr.hasMatchedOption(option)) continue;
            for (String given : pr.matchedOption(option).originalStringValues()) {   // as typed, before the split
                // an empty tag anywhere in a list ("a,", ",a", "a,,b"), as the ladder's --order refuses an empty key:
                // picocli's split drops only the empty ones at the end, so "a," was taken and ",a" refused
                String shown = sparselab.config.ConfigException.clip(given, 60);
                if (given.replace(",", "").isBlank()) {
                    throw new sparselab.cli.ExitCodes.RefusedException(option + ": no tag in '" + shown + "'");
                }
                if (java.util.Arrays.stream(given.split(",", -1)).anyMatch(String::isBlank)) {
                    throw new sparselab.cli.ExitCodes.RefusedException(option + ": an empty tag in the list '" + shown + "'; give tags apart by commas: a,b");
                }
            }
        }
        // before the log is opened, as every refusal of a tag here
        List<String> adding = RunActions.checkedTags(add);
        RunActions.refuseBoth(adding, remove.stream().map(String::trim).toList());
        RunActions.refuseLeadingDash(adding);
        EventLog log = db.openExisting();
        var row = sparselab.cli.RunLookup.require(log, runId);
        List<String> tags = add.isEmpty() && remove.isEmpty() ? row.tagList()
                : new RunActions(log, log.clock()).editTags(row.runId(), add, remove);
        // a tag to remove that the run did not have is no error, but is said (a mistyped tag was removed silently)
        List<String> absent = remove.stream().map(String::trim).distinct().filter(t -> !row.tagList().contains(t)).toList();
        if (!absent.isEmpty()) {
            String listed = absent.stream().limit(8).map(t -> sparselab.config.ConfigException.clip(t, 60)).collect(java.util.stream.Collectors.joining(", "));
            spec.commandLine().getErr().println("note: " + row.runId() + " had no tag " + listed
                    + (absent.size() > 8 ? " and " + (absent.size() - 8) + " more" : "") + "; nothing to remove for " + (absent.size() == 1 ? "it" : "them"));
        }
        spec.commandLine().getOut().println(row.runId() + " " + (tags.isEmpty() ? "has no tags" : "tags: " + String.join(", ", tags)));
        return 0;
    }
}
