/**
 * XML building blocks for the IS renderers. Every element the renderers emit goes through
 * xmlbuilder2, so escaping is the builder's job, never ours.
 */
import { create, fragment } from 'xmlbuilder2';
import { XmlOp, XmlPath } from '../types';

/** xmlbuilder2's object notation: `@attr` attributes, `#` text, `!` comment, arrays repeat an element. */
export type XmlObject = Record<string, unknown>;

/** One element (the object's single key) as an XML fragment for `upsertChild` / `replace`. */
export function xmlFragment(element: XmlObject): string {
  if (Object.keys(element).length !== 1) throw new Error('an XML fragment must be exactly one element');
  return fragment(element).end({ prettyPrint: true });
}

/** A whole XML document with a UTF-8 declaration. */
export function xmlDocument(root: XmlObject): string {
  if (Object.keys(root).length !== 1) throw new Error('an XML document must have exactly one root element');
  return create({ version: '1.0', encoding: 'UTF-8' }, root).end({ prettyPrint: true }) + '\n';
}

/** A `<Property name="...">value</Property>`-style child list, in the given order. */
export function namedValues(entries: readonly (readonly [string, string])[]): XmlObject[] {
  return entries.map(([name, value]) => ({ '@name': name, '#': value }));
}

export const setText = (path: XmlPath, value: string): XmlOp => ({ op: 'setText', path, value });
export const setAttr = (path: XmlPath, name: string, value: string): XmlOp => ({ op: 'setAttr', path, name, value });

/** A `[@name='value']` predicate; rejects quotes the path syntax cannot carry. */
export function byAttr(name: string, value: string): string {
  if (value.includes("'")) throw new Error(`cannot put ${JSON.stringify(value)} in an XML path predicate`);
  return `[@${name}='${value}']`;
}
