package gateway

import (
	"crypto/sha1" //nolint:gosec // a naming hash shared with the reference charm, not a security boundary
	"crypto/sha256"
	"encoding/hex"
)

// maxLabelLength is the Kubernetes limit for a label value and for the name
// part of a label key.
const maxLabelLength = 63

// labelHashLength is how many hex digits of the hash a truncated label keeps.
const labelHashLength = 6

// InstanceLabel is the value of LabelInstance for this charm instance:
// "MODEL-APP", or a truncated form with a hash suffix when that is longer
// than 63 characters. It matches the reference charm so that an upgrade in
// place keeps ownership of the objects the reference charm created.
func InstanceLabel(model, app string) string {
	return charmKubernetesLabel(model, app, "", "", "-")
}

// DeploymentLabel is the value of resource.LabelDeployment for this charm
// instance: 32 hex digits of SHA-256 over model and app, separated by a byte
// neither name can hold, so distinct deployments never share it.
func DeploymentLabel(model, app string) string {
	sum := sha256.Sum256([]byte(model + "/" + app))
	return hex.EncodeToString(sum[:16])
}

// TelemetryLabelKey is the key of the label that marks the gateway pods for
// the metrics proxy: "charms.canonical.com/MODEL.APP.telemetry", truncated
// with a hash when longer than 63 characters.
func TelemetryLabelKey(model, app string) string {
	return charmKubernetesLabel(model, app, "charms.canonical.com/", ".telemetry", ".")
}

// TelemetryLabelValue is the value of the telemetry label.
const TelemetryLabelValue = "aggregated"

// charmKubernetesLabel builds prefix+model+sep+app+suffix; when that exceeds
// 63 characters, model and app are cut in proportion to their lengths (at
// least one character each) and sep+sha1(model+sep+app)[:6] is inserted
// before the suffix, so two long names that share a prefix stay distinct.
func charmKubernetesLabel(model, app, prefix, suffix, sep string) string {
	label := prefix + model + sep + app + suffix
	if len(label) <= maxLabelLength || model == "" || app == "" {
		return label
	}
	sum := sha1.Sum([]byte(model + sep + app)) //nolint:gosec // see import
	digest := hex.EncodeToString(sum[:])[:labelHashLength]

	fixed := len(prefix) + len(suffix) + labelHashLength + 2
	available := maxLabelLength - fixed
	total := len(model) + len(app)
	modelLen := max(1, available*len(model)/total)
	appLen := max(1, available-modelLen)
	return prefix + model[:min(modelLen, len(model))] + sep + app[:min(appLen, len(app))] + sep + digest + suffix
}
