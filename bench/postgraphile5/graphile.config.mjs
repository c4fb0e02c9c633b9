// PostGraphile 5's configuration for Bayboard's query benchmark (make bench).
//
// The Amber preset (PostGraphile 5's recommended defaults), the V4
// compatibility preset for the V4 schema's names (nodeId for the global id,
// id for the row's column, allRepairOrders, vehiclesBySiteIdAndCustomerId…,
// ordering by any column), so the benchmark sends both peers the same query
// text and can demand byte-equal answers; and connection-filter 4 (its
// version for PostGraphile 5) for the board's state filter. The schema only
// reads: default mutations are off, as in V4's run. No GraphiQL, no
// websockets, no watch mode: production as PostGraphile's docs describe it.
//
// Environment: DATABASE_URL (required); PG5_POOL_MAX, connections per
// worker process (default 10).
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makeV4Preset } from "postgraphile/presets/v4";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

if (!process.env.DATABASE_URL) {
	throw new Error("graphile.config.mjs: set DATABASE_URL to the benchmark's database");
}

/** @type {GraphileConfig.Preset} */
const preset = {
	extends: [
		PostGraphileAmberPreset,
		makeV4Preset({ disableDefaultMutations: true, graphiql: false }),
		PostGraphileConnectionFilterPreset,
	],
	pgServices: [
		makePgService({
			connectionString: process.env.DATABASE_URL,
			schemas: ["public"],
			poolConfig: { max: Number(process.env.PG5_POOL_MAX || 10) },
			// No subscriptions: no LISTEN connection.
			pubsub: false,
		}),
	],
	grafserv: { graphiql: false, watch: false, websockets: false },
	grafast: { explain: false },
};

export default preset;
