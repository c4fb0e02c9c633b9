// PostGraphile 5 as a production server for Bayboard's query benchmark.
//
// PostGraphile 5's CLI (5.1.5) runs one Node process and has no cluster
// option (its --help and source; the docs' "or cluster thereof" is not in
// it), so this is its library mode as the docs show it (postgraphile(preset),
// pgl.createServ(grafserv) from postgraphile/grafserv/node, serv.addTo(a
// node:http server)), run on every core with Node's cluster module: the
// primary forks PG5_WORKERS workers (default: os.availableParallelism())
// that share the listening port, round-robin; each builds the schema and
// owns its own pool (PG5_POOL_MAX connections, graphile.config.mjs). With
// PG5_WORKERS=1 it is one plain process.
//
//   DATABASE_URL=postgres://… node server.mjs --host 127.0.0.1 --port 5678
//
// SIGTERM or SIGINT stops the workers and then the primary; a worker that
// dies stops the whole server (a benchmark must not go on with fewer).
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
	options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "5678" } },
});
const workers = Number(process.env.PG5_WORKERS || availableParallelism());
if (!Number.isInteger(workers) || workers < 1) {
	console.error(`server.mjs: PG5_WORKERS must be a whole number of processes, got ${process.env.PG5_WORKERS}`);
	process.exit(2);
}

if (workers > 1 && cluster.isPrimary) {
	let stopping = false;
	let ready = 0;
	const stop = (code) => {
		if (stopping) return;
		stopping = true;
		for (const w of Object.values(cluster.workers)) w.kill("SIGTERM");
		// Workers that do not stop in 5 s are killed with the primary.
		setTimeout(() => process.exit(code), 5000).unref();
		cluster.on("exit", () => {
			if (Object.keys(cluster.workers).length === 0) process.exit(code);
		});
	};
	cluster.on("message", (w, msg) => {
		if (msg === "ready" && ++ready === workers) {
			console.log(`PostGraphile 5 ready: ${workers} workers on http://${args.host}:${args.port}/graphql`);
		}
	});
	cluster.on("exit", (w, code, signal) => {
		if (!stopping) {
			console.error(`server.mjs: worker ${w.process.pid} died (code ${code}, signal ${signal}); stopping`);
			stop(1);
		}
	});
	process.on("SIGTERM", () => stop(0));
	process.on("SIGINT", () => stop(0));
	for (let i = 0; i < workers; i++) cluster.fork();
} else {
	const { postgraphile } = await import("postgraphile");
	const { grafserv } = await import("postgraphile/grafserv/node");
	const { default: preset } = await import("./graphile.config.mjs");
	const pgl = postgraphile(preset);
	const serv = pgl.createServ(grafserv);
	const server = createServer();
	server.keepAliveTimeout = 65_000;
	await serv.addTo(server);
	// Listen at once (grafserv holds requests until the schema is built),
	// then tell the primary when the schema is there.
	await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(Number(args.port), args.host, resolve);
	});
	await pgl.getSchema();
	if (cluster.isWorker) process.send("ready");
	else console.log(`PostGraphile 5 ready: 1 process on http://${args.host}:${args.port}/graphql`);
	const stop = async () => {
		server.close();
		server.closeAllConnections();
		await pgl.release();
		process.exit(0);
	};
	process.on("SIGTERM", stop);
	process.on("SIGINT", stop);
}
