package dev.hearth.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code hearth key create|ls|revoke}); given alone, it says which to give.
 * Its subcommands reach the shared context through {@link #root}.
 */
abstract class CommandGroup implements Runnable {

    @ParentCommand
    HearthCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: hearth " + spec.name() + " "
                + String.join("|", spec.subcommands().keySet()));
    }
}
