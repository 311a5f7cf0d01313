package dev.hearth.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the CLI in-process with a given environment, directory and stdin, capturing what it prints. */
record Cli(Map<String, String> env, Path cwd, String stdin) {

    record Result(int code, String out, String err) {
    }

    Cli(Map<String, String> env, Path cwd) {
        this(env, cwd, "");
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context ctx = new Context(env, cwd, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        int code = Main.execute(ctx, args);
        return new Result(code, out.toString(), err.toString());
    }

    Cli withStdin(String text) {
        return new Cli(env, cwd, text);
    }
}
