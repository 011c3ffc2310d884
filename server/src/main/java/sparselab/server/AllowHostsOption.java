package sparselab.server;

import picocli.CommandLine.Option;
import sparselab.cli.ExitCodes;

import java.util.ArrayList;
import java.util.List;

/** {@code --allow-host}, for the commands that start the dashboard ({@code serve}, {@code demo}). */
final class AllowHostsOption {
    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "a further host name the dashboard answers to (a DNS alias, a proxy's name); repeatable. "
                    + "Bound to 0.0.0.0 or ::, it already answers to this machine's names and addresses")
    List<String> names = new ArrayList<>();

    /** The names, each checked to be a host name or address (else exit 2 naming it, before anything is created). */
    List<String> checked() {
        for (String name : names) {
            if (!name.trim().matches("[A-Za-z0-9._:\\[\\]-]{1,253}")) {
                throw new ExitCodes.RefusedException("--allow-host: '" + (name.length() > 60 ? name.substring(0, 60) + "..." : name)
                        + "' is not a host name or address");
            }
        }
        return names;
    }
}
