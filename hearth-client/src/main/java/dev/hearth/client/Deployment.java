package dev.hearth.client;

/**
 * What a deploy created.
 *
 * @param name         the function's name, from its manifest
 * @param version      the new version number; later jobs run on it
 * @param bundleSha256 the SHA-256 of the uploaded code bundle, as the server computed it
 */
public record Deployment(String name, int version, String bundleSha256) {
}
