// The official replicate npm client (1.x) against Hearth: run by ReplicateClientTest, which installs the client
// beside this script. Prints one JSON object of what each call gave; the test asserts on it.
"use strict";
const http = require("node:http");
const Replicate = require("replicate");
const { validateWebhook } = require("replicate");

const base = process.env.HEARTH_URL;

// the client may reach this Hearth on loopback and nothing else
async function loopbackOnly(url, init) {
  const u = new URL(url instanceof Request ? url.url : url);
  if (u.hostname !== "127.0.0.1") {
    throw new Error(`the test client may only reach 127.0.0.1, not ${u.hostname}`);
  }
  return fetch(url, init);
}

const replicate = new Replicate({ auth: process.env.HEARTH_KEY, baseUrl: `${base}/v1`, fetch: loopbackOnly });

function receiver() {
  return new Promise((resolve) => {
    let deliver;
    const delivered = new Promise((r) => (deliver = r));
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200).end();
        deliver({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    server.listen(0, "127.0.0.1", () => resolve({ server, delivered, port: server.address().port }));
  });
}

async function main() {
  const out = {};

  out.run = await replicate.run("acme/echo", { input: { text: "hello" } });

  const created = await replicate.predictions.create({ model: "acme/echo", input: { n: 1 }, wait: 30 });
  out.created = { status: created.status, output: created.output, version: created.version };

  const got = await replicate.predictions.get(created.id);
  out.got = { id: got.id === created.id, status: got.status, model: got.model };

  const model = await replicate.models.get("acme", "echo");
  const versions = await replicate.models.versions.list("acme", "echo");
  out.model = { name: model.name, version: model.latest_version.id === created.version, versions: versions.results.length };
  const listed = await replicate.predictions.list();
  out.listed = listed.results.some((p) => p.id === created.id);

  const slow = await replicate.predictions.create({ model: "acme/sleepy", input: { seconds: 60 } });
  const canceled = await replicate.predictions.cancel(slow.id);
  out.canceled = canceled.status;

  out.stream = [];
  for await (const event of replicate.stream("acme/stream", { input: { n: 3 } })) {
    if (event.event === "output") {
      out.stream.push(`${event}`);
    }
  }

  const { key } = await replicate.webhooks.default.secret.get();
  const hook = await receiver();
  await replicate.predictions.create({
    model: "acme/echo",
    input: { hooked: true },
    webhook: `http://127.0.0.1:${hook.port}/hook`,
    webhook_events_filter: ["completed"],
  });
  const delivery = await hook.delivered;
  hook.server.close();
  out.webhook = {
    valid: await validateWebhook(
      new Request(`http://127.0.0.1:${hook.port}/hook`, {
        method: "POST",
        headers: {
          "webhook-id": delivery.headers["webhook-id"],
          "webhook-timestamp": delivery.headers["webhook-timestamp"],
          "webhook-signature": delivery.headers["webhook-signature"],
        },
        body: delivery.body,
      }),
      key
    ),
    status: JSON.parse(delivery.body).status,
  };

  out.fileInput = await replicate.run("acme/files", { input: { url: Buffer.from("a file from the client") } });

  const written = await replicate.run("acme/files", { input: { write: "a file from the function" } });
  const file = await loopbackOnly(`${written.file}`);
  out.fileOutput = { status: file.status, text: await file.text(), url: `${written.file}` };

  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
