package dev.hearth.functions;

import java.time.Instant;

/**
 * One deploy of a function: its manifest, the content hash of its code bundle, and the raw YAML it came from.
 */
public record FunctionVersion(String name, int version, FunctionManifest manifest, String manifestYaml,
                              String bundleSha256, Instant deployedAt) {
}
