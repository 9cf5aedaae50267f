/**
 * The communication map's schema version, apart from ./map.ts so that code writing maps (the
 * graph builder, ingest) does not load zod and build the map's schema just to name the version.
 */

/** The current map schema version. */
export const MAP_SCHEMA_VERSION = 1;
