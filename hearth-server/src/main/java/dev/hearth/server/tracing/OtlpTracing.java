package dev.hearth.server.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;

/**
 * The OpenTelemetry SDK set up by hand to export Hearth's spans over OTLP/HTTP (protobuf) to one collector, and to do
 * nothing else: no autoconfiguration (which reads every {@code OTEL_*} variable and would start metric and log
 * exporters dialing {@code localhost:4318}), no global instance, and the SDK's own telemetry about its exports off
 * (it would be looked up through {@code GlobalOpenTelemetry}). Nothing connects until the first batch of spans.
 */
final class OtlpTracing {

    private static final int MAX_QUEUED = 10_000;
    private static final int MAX_BATCH = 512;
    private static final Duration FLUSH_EVERY = Duration.ofMillis(500);

    private OtlpTracing() {
    }

    /**
     * The traces URL of a collector.
     *
     * @param endpoint the collector's base URL ({@code OTEL_EXPORTER_OTLP_ENDPOINT} semantics: {@code /v1/traces} is
     *                 appended), or its full traces URL ending in {@code /v1/traces}
     */
    static URI tracesUrl(String endpoint) {
        String base = endpoint.replaceAll("/+$", "");
        URI url = URI.create(base.endsWith("/v1/traces") ? base : base + "/v1/traces");
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new IllegalArgumentException("OTLP endpoint must be an http(s) URL such as http://127.0.0.1:4318, "
                    + "got '" + endpoint + "'");
        }
        return url;
    }

    /**
     * A tracer provider whose ended spans are sent in batches every 0.5 s from the SDK's background thread. Spans that
     * cannot be sent (collector down after the SDK's retries, queue full) are dropped; jobs never wait for tracing.
     */
    static SdkTracerProvider provider(String endpoint) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(tracesUrl(endpoint).toString())
                .setConnectTimeout(Duration.ofSeconds(5))
                .setTimeout(Duration.ofSeconds(10))
                .setMeterProvider(MeterProvider::noop)
                .build();
        BatchSpanProcessor batches = BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(FLUSH_EVERY)
                .setMaxQueueSize(MAX_QUEUED)
                .setMaxExportBatchSize(MAX_BATCH)
                .setMeterProvider(MeterProvider::noop)
                .build();
        return SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "hearth")))
                .setSampler(Sampler.alwaysOn())
                .setMeterProvider(MeterProvider::noop)
                .addSpanProcessor(batches)
                .build();
    }
}
