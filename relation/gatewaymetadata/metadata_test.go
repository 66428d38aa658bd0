package gatewaymetadata

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBagIsWhatRequirersRead(t *testing.T) {
	t.Parallel()
	m := Metadata{Namespace: "cos", GatewayName: "istio-ingress", DeploymentName: "istio-ingress-istio", ServiceAccount: "istio-ingress-istio"}
	assert.Equal(t, map[string]string{
		"metadata": `{"namespace":"cos","gateway_name":"istio-ingress","deployment_name":"istio-ingress-istio","service_account":"istio-ingress-istio"}`,
	}, m.Bag())
}
