/**
 * Releases: which versions of a function serve its jobs (active, canary), and the pure canary routing policy.
 */
package dev.hearth.releases;
