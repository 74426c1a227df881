// Types for electronegativity.mjs (the audit script), for its unit test.
export interface Directive { code: string; rules: string[]; file?: string; line?: number }
export interface SarifResult {
  ruleId: string;
  message?: { text?: string };
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[];
}
export function electronVersion(root?: string): string;
export function parseDirective(line: string): Directive | null;
export function normalizeCode(code: string): string;
export function collectDirectives(sourceDir: string): Required<Directive>[];
export function judge(results: SarifResult[], directives: Directive[], builtDirs: string[]): {
  accepted: { rule: string; where: string; source: string }[];
  failures: { rule: string; where: string; message: string }[];
};
export function scan(dir: string, version: string, reportPath: string): SarifResult[];
