package dev.hearth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root {@code hearth} command; it only dispatches, and hands every subcommand the {@link Context}. */
// INHERIT gives every subcommand --help and --version too.
@Command(name = "hearth", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = HearthCommand.Version.class,
        description = "Hearth: self-hosted serverless GPU functions.",
        subcommands = {UpCommand.class, ServeCommand.class, DemoCommand.class, DeployCommand.class, LsCommand.class,
                RunCommand.class, StatusCommand.class, CancelCommand.class, LogsCommand.class, WorkersCommand.class,
                DeleteCommand.class, VersionsCommand.class, RollbackCommand.class, PromoteCommand.class,
                CostCommand.class, BudgetCommand.class, NodesCommand.class, NodeCommand.class, ScaleCommand.class,
                EventsCommand.class, KeyCommand.class, AuditCommand.class,
                VolumeCommand.class, PlanCommand.class, EnvCommand.class, SecretCommand.class,
                RestartCommand.class, AlertCommand.class,
                StoreCommand.class, ClusterCommand.class})
final class HearthCommand implements Runnable {

    private final Context ctx;

    @Spec
    CommandSpec spec;

    HearthCommand(Context ctx) {
        this.ctx = ctx;
    }

    Context context() {
        return ctx;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required, e.g. 'hearth up --examples'");
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = HearthCommand.class.getPackage().getImplementationVersion();
            return new String[] {"hearth " + (v == null ? "(development build)" : v)};
        }
    }
}
