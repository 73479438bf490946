// The isolation proof's verdicts in words, for every front end that prints them: the CLI, and the language server
// for VS Code's output channel. The verdict's type is the one pg/, the report and the protocol use.

/** `shared`: on a per-user table, every write is isolated and reads are open to other users by a policy that says so. */
export type IsolationVerdict = 'isolated' | 'shared' | 'leaks' | 'untestable';

/** What a front end prints of one proved table. */
export interface VerdictLine {
  table: string;
  tenantColumn: string;
  /** The rows belong to users: the policies compare `tenantColumn` with the signed-in user. */
  perUser?: boolean;
  status: IsolationVerdict;
  details: string;
  /** The migration set, when the proof ran on several. */
  set?: string;
}

const MARK: Record<IsolationVerdict, string> = {
  isolated: '✔ isolated  ', shared: '◐ shared    ', leaks: '✘ LEAKS     ', untestable: '? untestable',
};

export function isolationLine(t: VerdictLine): string {
  return `${MARK[t.status]} ${t.table} (${t.tenantColumn}${t.perUser ? ', per user' : ''})${t.set ? ` in ${t.set}` : ''}: ${t.details}`;
}

/** "2 tenant tables: 2 isolated, 0 leak, 0 not testable. 5 per-user tables: 2 isolated, 3 with reads shared by policy, …" */
export function isolationSummary(tables: readonly Pick<VerdictLine, 'perUser' | 'status'>[]): string {
  if (!tables.length) {
    return 'No tenant tables found (a table is tenant-scoped when it has one of the tenantColumns), and no table whose ' +
      'policies key its rows on the signed-in user.';
  }
  const part = (label: string, of: readonly Pick<VerdictLine, 'status'>[]): string => {
    const count = (s: IsolationVerdict) => of.filter((t) => t.status === s).length;
    const shared = count('shared') ? `, ${count('shared')} with reads shared by policy` : '';
    return `${of.length} ${label}: ${count('isolated')} isolated${shared}, ${count('leaks')} leak, ${count('untestable')} not testable.`;
  };
  const tenant = tables.filter((t) => !t.perUser);
  const user = tables.filter((t) => t.perUser);
  return [tenant.length ? part('tenant tables', tenant) : '', user.length ? part('per-user tables', user) : ''].filter(Boolean).join(' ');
}
