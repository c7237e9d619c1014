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
  /** Remove the attribute `name` (qualified name as written) of the element (it must exist); nothing when the attribute is absent. */
  | { op: 'removeAttr'; path: XmlPath; name: string }
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
  /**
   * When the file is absent, start from an empty one (the ops then append their lines) instead of
   * failing. For files the product reads only if present and does not ship, such as Carbon's
   * `repository/conf/hazelcast.properties`; an existing file is edited line by line as always, so
   * a user's own lines in it are kept.
   */
  create?: boolean;
}
/**
 * Unpacks a web-app archive into its directory, so later changes can edit files inside it.
 *
 * Why it exists: IS 5.x packs ship web apps as `.war` files (e.g. `webapps/shindig.war`) that
 * Tomcat unpacks only on the product's first start, so on a fresh node a file inside the app
 * (`webapps/shindig/WEB-INF/web.xml`) does not exist yet and an edit of it has no anchor. Rather
 * than make edits lenient, the change set says explicitly: unpack first, then edit.
 *
 * Semantics (the applier, applier/apply.ts):
 * - `into` exists (a directory) -> nothing to do. Idempotent; also a product image or home where
 *   Tomcat already unpacked the app (the archive, if still there, is left alone).
 * - else the archive (`archive`, or `parkAs` when an earlier run parked it but stopped before the
 *   directory appeared) is extracted into a temporary directory next to `parkAs`, the archive is
 *   moved to `parkAs`, and the directory is renamed to `into` (one atomic step: `into` never
 *   exists half-extracted). Parking keeps Tomcat from redeploying the archive over the edited
 *   directory. Two nodes doing this at once on a shared tree both succeed: the first rename wins,
 *   the other finds `into` present and the archive already parked.
 * - else -> an error naming `archive`, `into` and `parkAs`.
 * Must come before every change of a file under `into` (the applier refuses otherwise). `parkAs`
 * must be outside every directory the product deploys from, and on the same file system as `into`.
 */
export interface ExplodeArchive {
  kind: 'explode';
  /** The archive, e.g. `repository/deployment/server/webapps/shindig.war`. */
  archive: string;
  /** The directory it unpacks into, e.g. `repository/deployment/server/webapps/shindig`. */
  into: string;
  /** Where the archive is moved once unpacked (outside every deployment directory). */
  parkAs: string;
  /**
   * Equal to `archive`. Every change names the one product file it reads as `path`, so code that
   * lists the files a change set needs from the stock tree (plan, the Kubernetes stage step)
   * handles this kind unchanged. The applier refuses a change where the two differ.
   */
  path: string;
}
/**
 * One exact-text replacement (see {@link TextEdit}). `find` and `replace` are non-empty, differ, and
 * neither contains the other, so the op has exactly two states a file can be in.
 */
export interface TextOp {
  op: 'replace';
  /** The stock text, which must occur exactly once. */
  find: string;
  /** What it becomes. */
  replace: string;
}
/**
 * Exact-text edits of a file no structured edit fits (a start script). Each op replaces `find`,
 * which must occur exactly once, by `replace`; a file where `find` is absent and `replace` occurs
 * exactly once already has the op (idempotent). Anything else (absent both, or more than once) is
 * an error naming the file and the op: a pack whose text differs must not be guessed at. Matching is
 * on bytes (UTF-8 of the strings) and every byte outside the replaced span is kept as it was.
 */
export interface TextEdit {
  kind: 'text';
  path: string;
  ops: TextOp[];
}
export type FileChange = XmlEdit | YamlEdit | JsonEdit | PropertiesEdit | TextEdit | WholeFile | ExplodeArchive;

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
