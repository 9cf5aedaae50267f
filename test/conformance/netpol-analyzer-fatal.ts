/**
 * What a fatal-error case of netpol-analyzer's corpus must say. cases.json gives the expected error
 * as the Go expression netpol-analyzer's test matches (e.g. `alerts.NPWithSameNameError("default/x")`);
 * microseg words its messages its own way, so each alert maps to a pattern of what the message is
 * about, and every quoted argument of the expression (an object name, a value) must appear too.
 */

/** Alert name → what microseg's message must mention. */
const ALERT_PATTERNS: [RegExp, RegExp][] = [
  [/CidrErrTitle|InvalidCIDRAddr/, /CIDR/i],
  [/SelectorErrTitle/, /label|selector/i],
  [/CombinedRulePeerErrStr/, /combined/i],
  [/EmptyRulePeerErrStr/, /peer needs/i],
  [/NamedPortErrTitle|ConvertNamedPortErrStr/, /named port/i],
  [/NotSupportedPodResourcesErrorStr/, /different labels/i],
  [/NPWithSameNameError|ANPsWithSameNameErr|NSWithSameNameError/, /also defined|same name/i],
  [/BANPAlreadyExists/, /only one|also defined/i],
  [/BANPNameAssertion/, /"default"/],
  [/EndPortWithNamedPortErrStr/, /endPort/],
  [/IllegalPortRangeError/, /10-1|below port 10/],
  [/PriorityErrExplain|PriorityValueErr/, /priority/i],
  [/OneFieldSetSubjectErr/, /subject/i],
  [/ANPEgressRulePeersErr|ANPIngressRulePeersErr/, /peer/i],
  [/OneFieldSetRulePeerErr/, /peer needs exactly one/i],
  [/ANPPortsError/, /port/i],
  [/UnknownRuleActionErr/, /action/i],
  [
    /InvalidKeyValue|DisMatchLayerConfiguration|UDNNameAssertion|UDNNamespaceAssertion|OnePrimaryUDNAssertion/,
    /network/i,
  ],
];

/** The patterns a fatal message must match for a Go error expression (empty when unknown). */
export function fatalPatterns(goExpr: string): RegExp[] {
  const out: RegExp[] = [];
  for (const [alert, pattern] of ALERT_PATTERNS) if (alert.test(goExpr)) out.push(pattern);
  const plain = /^"([^"]*)"$/.exec(goExpr.trim());
  if (plain) out.push(new RegExp(escapeRegExp(plain[1])));
  else for (const m of goExpr.matchAll(/"([^"]+)"/g)) out.push(new RegExp(escapeRegExp(m[1])));
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
