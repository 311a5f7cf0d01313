package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.functions.ByteSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hearth volume create|ls|put|get|rm}: named directories on the server for model weights and caches, which a
 * manifest's {@code volumes:} shows to the function's workers.
 */
@Command(name = "volume", description = "Volumes: files kept on the server for functions (model weights, caches).",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Put.class,
                VolumeCommand.Get.class, VolumeCommand.Rm.class})
final class VolumeCommand extends CommandGroup {

    /** The API path of a file in a volume, each segment percent-encoded. */
    static String filePath(String volume, String path) {
        String encoded = Stream.of(path.split("/")).filter(s -> !s.isEmpty())
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
        return "/v1/volumes/" + volume + "/files/" + encoded;
    }

    /** A remote path without the slashes around it ("" for the volume's root). */
    static String trim(String remote) {
        return remote == null ? "" : remote.replaceAll("^/+|/+$", "");
    }

    @Command(name = "create", description = "Create an empty volume.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "Lowercase letters, digits and '-'.")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls.of(client, ctx).post("/v1/volumes", Json.MAPPER.createObjectNode().put("name", name)
                    .toString());
            ctx.out().println("created volume " + name + "; use it with 'volumes: {" + name + ": " + name
                    + "}' in hearth.yaml");
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", description = "List volumes, or with NAME the files of one, with their sizes.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1", description = "The volume whose files to list.")
        String name;

        @Parameters(paramLabel = "PATH", arity = "0..1", index = "1", description = "Only files under this path.")
        String prefix;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls calls = ManagementCalls.of(client, ctx);
            if (name == null) {
                JsonNode volumes = calls.get("/v1/volumes").get("volumes");
                if (volumes.isEmpty()) {
                    ctx.out().println("no volumes; create one with: hearth volume create weights");
                    return ExitCodes.OK;
                }
                Table t = new Table("NAME", "FILES", "SIZE");
                volumes.forEach(v -> t.row(v.get("name").asText(), v.get("files").asLong(),
                        ByteSize.format(v.get("bytes").asLong())));
                t.print(ctx.out());
                return ExitCodes.OK;
            }
            String query = prefix == null ? "" : "?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
            Table t = new Table("PATH", "SIZE", "MODIFIED");
            for (JsonNode f : calls.get("/v1/volumes/" + name + "/files" + query).get("files")) {
                t.row(f.get("path").asText(), ByteSize.format(f.get("size").asLong()), f.get("modifiedAt").asText());
            }
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "put", description = "Upload a file, or a directory's files, into a volume (replacing what is "
            + "there at the same paths).")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "The volume.")
        String name;

        @Parameters(index = "1", paramLabel = "LOCAL_PATH", description = "A file or a directory.")
        Path local;

        @Parameters(index = "2", paramLabel = "REMOTE_PATH", arity = "0..1", description = "Where in the volume: a "
                + "file's path (default: its name at the root; ending in / puts it in that directory), or the "
                + "directory a local directory's files go under (default: the root).")
        String remote;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            Path from = ctx.resolve(local);
            ManagementCalls calls = ManagementCalls.of(client, ctx);
            List<Path> files;
            String base;
            if (Files.isDirectory(from)) {
                files = regularFiles(from);
                base = trim(remote);
            } else if (Files.isRegularFile(from)) {
                files = List.of(from);
                boolean intoDir = remote == null || remote.endsWith("/");
                base = intoDir ? trim(remote) : null;
            } else {
                throw CliException.usage("no file or directory " + from);
            }
            long bytes = 0;
            for (Path f : files) {
                String rel = base == null ? trim(remote) : join(base, Files.isDirectory(from)
                        ? from.relativize(f).toString().replace('\\', '/') : f.getFileName().toString());
                bytes += calls.upload(filePath(name, rel), f).get("size").asLong();
                ctx.out().println("put " + rel);
            }
            ctx.out().println(files.size() + " file" + (files.size() == 1 ? "" : "s") + ", "
                    + ByteSize.format(bytes) + " into volume " + name);
            return ExitCodes.OK;
        }

        private static List<Path> regularFiles(Path dir) {
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "get", description = "Download a file, or a directory's files, from a volume.")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "The volume.")
        String name;

        @Parameters(index = "1", paramLabel = "REMOTE_PATH", description = "A file or a directory in the volume.")
        String remote;

        @Parameters(index = "2", paramLabel = "LOCAL_PATH", arity = "0..1", description = "Where to write it "
                + "(default: its name in the current directory; an existing directory: into it).")
        Path local;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls calls = ManagementCalls.of(client, ctx);
            String path = trim(remote);
            String leaf = path.isEmpty() ? name : path.substring(path.lastIndexOf('/') + 1);
            Path to = local == null ? ctx.resolve(Path.of(leaf)) : ctx.resolve(local);
            List<String> files = new ArrayList<>();
            String query = path.isEmpty() ? "" : "?prefix=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
            calls.get("/v1/volumes/" + name + "/files" + query).get("files")
                    .forEach(f -> files.add(f.get("path").asText()));
            if (files.equals(List.of(path))) {
                Path target = Files.isDirectory(to) ? to.resolve(leaf) : to;
                calls.download(filePath(name, path), target);
                ctx.out().println("got " + path + " -> " + target);
                return ExitCodes.OK;
            }
            if (files.isEmpty()) {
                throw CliException.failure("volume '" + name + "' has nothing at '" + remote + "'");
            }
            for (String f : files) {
                Path target = to.resolve(path.isEmpty() ? f : f.substring(path.length() + 1));
                calls.download(filePath(name, f), target);
                ctx.out().println("got " + f + " -> " + target);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", description = "Delete a volume and everything in it, or with PATH one file or directory "
            + "in it.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "The volume.")
        String name;

        @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", description = "A file or directory in it.")
        String path;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls calls = ManagementCalls.of(client, ctx);
            if (path == null) {
                calls.delete("/v1/volumes/" + name);
                ctx.out().println("deleted volume " + name);
            } else {
                calls.delete(filePath(name, path));
                ctx.out().println("removed " + trim(path) + " from volume " + name);
            }
            return ExitCodes.OK;
        }
    }

    private static String join(String base, String rel) {
        return base.isEmpty() ? rel : base + "/" + rel;
    }
}
