package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.NodeInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hearth node drain|undrain <node>}. */
@Command(name = "node", description = "Drain a node (maintenance, spot interruption) or put it back in service.",
        subcommands = {NodeCommand.Drain.class, NodeCommand.Undrain.class})
final class NodeCommand implements Runnable {

    @ParentCommand
    HearthCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say 'drain' or 'undrain', e.g. hearth node drain node-a");
    }

    @Command(name = "drain", description = "No new workers on the node; its workers finish their jobs within the "
            + "grace period, then stop; jobs still running then go back to the queue and run on another node.")
    static final class Drain implements Callable<Integer> {

        @ParentCommand
        NodeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NODE", description = "The node, as 'hearth nodes' names it.")
        String node;

        @Option(names = "--grace", defaultValue = "30s", paramLabel = "DURATION",
                description = "How long running jobs may take to finish (default: ${DEFAULT-VALUE}).")
        String grace;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            Duration period = CliException.duration("--grace", grace);
            try (Hearth hearth = client.connect(ctx)) {
                NodeInfo n = hearth.drainNode(node, period);
                NodesCommand.print(List.of(n), ctx);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "undrain", description = "Let a drained node take new workers again.")
    static final class Undrain implements Callable<Integer> {

        @ParentCommand
        NodeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NODE", description = "The node, as 'hearth nodes' names it.")
        String node;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            try (Hearth hearth = client.connect(ctx)) {
                NodesCommand.print(List.of(hearth.undrainNode(node)), ctx);
            }
            return ExitCodes.OK;
        }
    }
}
