/**
 * The IS node renderer: everything seed 000 asks of each of the two clustered IS nodes, as
 * edits to the stock product files (whole files only where the file is ours entirely).
 * The per-file renderers live in `is/`; this module assembles them in a fixed order.
 */
import { NodeId, Topology, node } from '../topology';
import { FileChange, NodeChangeSet } from './types';
import { renderBpsDatasources, renderMasterDatasources } from './is/datasources';
import { renderRegistry } from './is/registry';
import { renderConsentMgt, renderEmbeddedLdap, renderIdentityXml, renderUserMgt } from './is/user-store';
import { renderAxis2, renderCarbon, renderHazelcastProperties } from './is/cluster';
import { renderCatalina, renderDashboardSite, renderPortalSite, renderShindigExplode, renderShindigWebXml } from './is/proxy';
import { renderIdentityEventHandlers, renderPublishers } from './is/publishers';
import { renderDataAgentConfig } from './is/keystores';
import { isVaultEntries, renderCipherText, renderSecretConf } from './is/vault';
import { IS_STORES, STORE_TYPE } from './keystores';

export function renderIsChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  if (node(t, id).role !== 'is') throw new Error(`${id} is not an IS node`);
  const changes: FileChange[] = [
    renderMasterDatasources(t),
    renderBpsDatasources(t),
    renderRegistry(t),
    renderUserMgt(t),
    renderEmbeddedLdap(),
    renderIdentityXml(t),
    renderConsentMgt(t),
    renderAxis2(t, id),
    renderCarbon(t),
    renderHazelcastProperties(),
    renderCatalina(t),
    renderDashboardSite(t),
    renderPortalSite(t),
    // Before the web.xml edit: the applier refuses an explode after a change inside its directory.
    renderShindigExplode(),
    renderShindigWebXml(t),
    // The publishers' TLS client: our truststore, TLS 1.2, our suites.
    renderDataAgentConfig(),
    ...renderPublishers(t),
    renderIdentityEventHandlers(),
    // Secure Vault: the ciphertexts of every vaulted password above, and the vault's key.
    renderCipherText(isVaultEntries(t)),
    renderSecretConf({ file: IS_STORES.primary.file, alias: IS_STORES.primary.alias, type: STORE_TYPE }),
  ];
  return { nodeId: id, product: 'is', changes };
}
