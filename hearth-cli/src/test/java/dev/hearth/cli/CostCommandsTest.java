package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth cost} and {@code hearth budget} against a scripted server. */
class CostCommandsTest {

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @Test
    void costPrintsCostByKindUtilizationAndWhatScaleToZeroSaves() {
        server.on("GET /v1/usage", 200, """
                {"from":"2026-11-22T16:00:00Z","groupBy":"function","lines":[
                  {"key":"echo","cost":{"total":0.0145,"starting":0.0005,"busy":0.004,"idle":0.008,"draining":0,
                   "preinit":0.002},"jobs":12,"gpuSeconds":{"billed":10.0,"busy":3.5},"utilization":0.35}],
                 "total":{"key":"total","cost":{"total":0.0145,"starting":0.0005,"busy":0.004,"idle":0.008,
                   "draining":0,"preinit":0.002},"jobs":12,"gpuSeconds":{"billed":10.0,"busy":3.5},
                   "utilization":0.35}}""");

        Cli.Result r = server.run("cost", "echo", "--since", "24h");

        assertThat(r.code()).isZero();
        assertThat(server.requests).containsExactly("GET /v1/usage?from=24h&groupBy=function&function=echo");
        assertThat(r.out().lines()).containsExactly(
                "FUNCTION  COST     BUSY    IDLE    COLD-START  DRAINING  PREINIT  JOBS  GPU-S BILLED  GPU-S BUSY  "
                        + "UTILIZATION",
                "echo      $0.0145  $0.004  $0.008  $0.0005     $0.00     $0.002   12    10.0s         3.5s        "
                        + "35.0%",
                "",
                "idle and cold-start cost (what scale-to-zero saves): $0.0085 of $0.0145 since 2026-11-22T16:00:00Z",
                "pre-initialized workers (scaling.preinit, billed at the CPU rate while they wait for GPUs): $0.002");
    }

    @Test
    void budgetSetSendsTheLimitAndLsShowsWhereBudgetsStand() {
        server.on("PUT /v1/budgets/functions/echo/day", 200, """
                {"function":"echo","period":"day","limit":25,"spent":1.5,"reserved":0,"reservedJobs":0,
                 "remaining":23.5,"resetsAt":"2026-11-24T00:00:00Z"}""");
        server.on("GET /v1/budgets", 200, """
                {"budgets":[{"scope":"global","period":"hour","limit":2,"spent":0.25,"reserved":0.5,"reservedJobs":3,
                  "remaining":1.25,"resetsAt":"2026-11-23T17:00:00Z"}]}""");

        Cli.Result set = server.run("budget", "set", "echo", "--period", "day", "--limit", "25", "--soft", "20");
        Cli.Result ls = server.run("budget", "ls");

        assertThat(set.code()).isZero();
        assertThat(server.bodies.getFirst()).isEqualTo("{\"limit\":25,\"soft\":20}");
        assertThat(set.out().strip()).isEqualTo("the daily budget of function 'echo': limit $25.00, spent $1.50, "
                + "resets at 2026-11-24T00:00:00Z");
        assertThat(ls.out().lines()).containsExactly(
                "SCOPE     PERIOD  LIMIT  SPENT  RESERVED        REMAINING  SOFT  RESETS",
                "(global)  hour    $2.00  $0.25  $0.50 (3 jobs)  $1.25      -     2026-11-23T17:00:00Z");
    }

    @Test
    void budgetRmNeedsAFunctionOrGlobalAndReportsTheServersRefusal() {
        server.on("DELETE /v1/budgets/global/month", 404, "{\"status\":404,\"detail\":\"there is no monthly budget of"
                + " all functions\"}");

        assertThat(server.run("budget", "rm", "--period", "day").err()).contains("name a FUNCTION or give --global");
        Cli.Result r = server.run("budget", "rm", "--global", "--period", "month");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("there is no monthly budget of all functions");
    }
}
