/**
 * WSO2 Identity Server deployment pattern 2. Thin on purpose: read and validate the stack
 * config, build the top component, export its outputs (one stack output per key).
 */
import { loadStackConfig } from './config';
import { Pattern2 } from './components/pattern2';

const config = loadStackConfig();
const pattern2 = new Pattern2('wso2is', { config });

export = pattern2.outputs;
