/**
 * The contract between the renderers (model in, changes out) and the applier (changes in,
 * patched product home out). Everything here is plain JSON-serialisable data, so the same
 * change set is written by `plan`, shipped to a node and applied there by the same applier.
 */

/**
 * A path into an XML document: a simple XPath subset, absolute from the document element.
 *   /axisconfig/clustering/parameter[@name='membershipScheme']
 *   /Server/Service/Connector[@port='9443']
 *   /UserManager/Realm/UserStoreManager
 * Steps match on local name (namespaces ignored); predicates are `[@attr='value']`, several allowed.
 * A predicate may also name a child element, `[child='value']`: the step matches when it has a child
 * of that local name whose text content, trimmed, equals the value. Needed where siblings differ only
 * by a child's text, e.g. /web-app/context-param[param-name='system.properties']/param-value.
 * A path must match exactly one element unless the op says otherwise.
 */
export type XmlPath = string;

export type XmlOp =
  /** Replace the text content of the element (it must exist). */
  | { op: 'setText'; path: XmlPath; value: string }
  /** Set an attribute on the element (it must exist). */
  | { op: 'setAttr'; path: XmlPath; name: string; value: string }
  /**
   * Make `xml` (one element, rendered with xmlbuilder2) a child of `parent`, replacing the
   * existing child matched by `match` (relative step, e.g. `dbConfig[@name='sharedregistry']`)
   * or appending when none matches. The parent must exist. Idempotent.
   */
  | { op: 'upsertChild'; parent: XmlPath; match: string; xml: string; before?: string }
  /** Replace the element at `path` (it must exist) with `xml`. */
  | { op: 'replace'; path: XmlPath; xml: string; orMatch?: XmlPath }
  /** Remove every element matching `path`; fails when none matches unless `optional`. */
  | { op: 'remove'; path: XmlPath; optional?: boolean };

/** A path into a YAML or JSON document: mapping keys and sequence indexes. */
export type DocPath = (string | number)[];

export type DocOp =
  /**
   * Set the value at `path`. The parent of the last segment must already exist (the anchor),
   * unless `create` is true, when missing mappings on the way are created.
   */
  | { op: 'set'; path: DocPath; value: unknown; create?: boolean }
  /**
   * In the sequence at `path` (must exist), replace the item whose `key` field equals
   * `value[key]`, or append it when none does. Idempotent.
   */
  | { op: 'upsertItem'; path: DocPath; key: string; value: Record<string, unknown> }
  /** Delete the key at `path`; fails when absent unless `optional`. */
  | { op: 'delete'; path: DocPath; optional?: boolean };

export interface XmlEdit {
  kind: 'xml';
  /** Path relative to the product home. */
  path: string;
  ops: XmlOp[];
}
export interface YamlEdit {
  kind: 'yaml';
  path: string;
  ops: DocOp[];
}
export interface JsonEdit {
  kind: 'json';
  path: string;
  ops: DocOp[];
}
/** A file fully specific to the deployment, written whole (e.g. master-datasources.xml). */
export interface WholeFile {
  kind: 'file';
  path: string;
  content: string;
  /** Octal file mode as a string, e.g. '0644'. */
  mode?: string;
}
/**
 * A line-based `key<separator>value` file such as spark-defaults.conf. `set` replaces the first
 * active `key` line, else uncomments a commented-out `#key` line, else appends. Idempotent.
 */
export interface PropertiesEdit {
  kind: 'properties';
  path: string;
  /** ' ' for spark-defaults.conf (`key value`), '=' for Java .properties files. */
  separator: ' ' | '=';
  ops: { op: 'set'; key: string; value: string }[];
}
export type FileChange = XmlEdit | YamlEdit | JsonEdit | PropertiesEdit | WholeFile;

/** Everything one node's product home receives. */
export interface NodeChangeSet {
  nodeId: string;
  product: 'is' | 'analytics';
  changes: FileChange[];
}

/**
 * Marks a serialised change set (`changeSetPayload()`) so `plan` finds what each node is sent.
 * Defined here, in the dependency-free contract, so the node-side applier bundle can check it
 * without pulling in the renderers.
 */
export const CHANGE_SET_SCHEMA = 'wso2-is-pattern2/node-change-set/v1';
