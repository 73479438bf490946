/** Embedded-PostgreSQL engine: replay migrations, trace locks and rewrites, probe tenant isolation. */
export type {
  EngineOptions, ExecStatement, IsolationOptions, IsolationResult, IsolationStatus, IsolationTable, LockInfo,
  PgEngineOptions, RelationKind, ScriptError, ScriptResult, TraceEntry, TraceError,
} from './types';
export { executeScript, PgEngine, traceStatements, verifyIsolation } from './engine';
export { isNonTransactional, isTransactionControl } from './classify';
export { LOCK_MODES, lockStrength } from './trace';
export { databaseLabel, LiveSchemaError, readCatalog, readLiveSchema, type Queryable } from './catalog';
