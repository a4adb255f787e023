import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * A syntactic call graph of src/: for every class method, the methods it calls on `this` and on the services injected
 * into its constructor (`this.codes.enrol(…)` → `CodesService.enrol`). Good enough to follow a route from its handler
 * to the services that create things, without type-checking the program; a call it cannot resolve is not followed.
 */
export interface MethodNode {
  id: string; // Class.method
  file: string;
  calls: Set<string>;
  /** Ticket events this method fires through the transition table (string literals, or a parameter's literal union). */
  fires: Set<string>;
}

export interface ClassInfo {
  name: string;
  file: string;
  decorators: string[];
  /** Handler name → HTTP verb decorator name, for controllers. */
  handlers: Map<string, string>;
}

export interface CallGraph {
  methods: Map<string, MethodNode>;
  classes: Map<string, ClassInfo>;
}

const HTTP_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete']);
/** Calls that fire a ticket event, and the index of the event argument. */
const FIRE_CALLS: Record<string, number> = { 'TicketTransitions.fire': 2, 'TicketTransitions.fireAlone': 1 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const decoratorNames = (node: ts.Node): string[] =>
  (ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []).map((d) => {
    const e = d.expression;
    return ts.isCallExpression(e) ? e.expression.getText() : e.getText();
  });

const typeName = (type: ts.TypeNode | undefined): string | undefined => (type && ts.isTypeReferenceNode(type) ? type.typeName.getText() : undefined);

function literalUnion(type: ts.TypeNode | undefined): string[] | undefined {
  if (!type) return undefined;
  const parts = ts.isUnionTypeNode(type) ? type.types : [type];
  const values = parts.map((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined));
  return values.every((v): v is string => v !== undefined) ? values : undefined;
}

export function buildCallGraph(srcRoot: string): CallGraph {
  const methods = new Map<string, MethodNode>();
  const classes = new Map<string, ClassInfo>();
  for (const path of sourceFiles(srcRoot)) {
    const file = relative(join(srcRoot, '..'), path);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      const className = statement.name.text;
      const info: ClassInfo = { name: className, file, decorators: decoratorNames(statement), handlers: new Map() };
      classes.set(className, info);
      // Injected services: constructor parameter properties, and typed property declarations.
      const props = new Map<string, string>();
      for (const member of statement.members) {
        if (ts.isConstructorDeclaration(member)) {
          for (const p of member.parameters) {
            const t = typeName(p.type);
            if (t && ts.isIdentifier(p.name)) props.set(p.name.text, t);
          }
        } else if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name)) {
          const t = typeName(member.type);
          if (t) props.set(member.name.text, t);
        }
      }
      for (const member of statement.members) {
        if (!(ts.isMethodDeclaration(member) || ts.isGetAccessor(member)) || !member.body || !member.name) continue;
        const methodName = member.name.getText();
        const verb = decoratorNames(member).find((d) => HTTP_DECORATORS.has(d));
        if (verb) info.handlers.set(methodName, verb);
        const node: MethodNode = { id: `${className}.${methodName}`, file, calls: new Set(), fires: new Set() };
        const params = new Map(member.parameters.filter((p) => ts.isIdentifier(p.name)).map((p) => [(p.name as ts.Identifier).text, p.type]));
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
            const target = n.expression.expression;
            const called = n.expression.name.text;
            let callee: string | undefined;
            if (target.kind === ts.SyntaxKind.ThisKeyword) callee = `${className}.${called}`;
            else if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) {
              const t = props.get(target.name.text);
              if (t) callee = `${t}.${called}`;
            }
            if (callee) {
              node.calls.add(callee);
              const at = FIRE_CALLS[callee];
              if (at !== undefined) {
                const arg = n.arguments[at];
                if (arg && ts.isStringLiteralLike(arg)) node.fires.add(arg.text);
                else if (arg && ts.isIdentifier(arg)) (literalUnion(params.get(arg.text)) ?? ['*']).forEach((e) => node.fires.add(e));
                else node.fires.add('*');
              }
            }
          }
          ts.forEachChild(n, visit);
        };
        visit(member.body);
        methods.set(node.id, node);
      }
    }
  }
  return { methods, classes };
}

/**
 * Every method reachable from `start`, not following calls into `opaque` methods (they are accounted for otherwise,
 * e.g. the transition table's effects per event), with every ticket event fired on the way.
 */
export function reach(graph: CallGraph, start: string, opaque: ReadonlySet<string>): { methods: Set<string>; events: Set<string> } {
  const seen = new Set<string>([start]);
  const events = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const node = graph.methods.get(queue.shift()!);
    if (!node) continue;
    node.fires.forEach((e) => events.add(e));
    for (const callee of node.calls) {
      if (seen.has(callee)) continue;
      seen.add(callee);
      if (!opaque.has(callee)) queue.push(callee);
    }
  }
  return { methods: seen, events };
}
