/**
 * Replicate's HTTP API on Hearth jobs, the pure parts: how a job's state reads as a prediction's status, and the
 * request headers and fields a Replicate client sends ({@code Prefer: wait}, {@code Cancel-After}, a model version
 * reference, a webhook events filter).
 */
package dev.hearth.replicate;
