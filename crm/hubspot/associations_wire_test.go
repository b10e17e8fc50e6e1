package hubspot_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// The associations answer's toObjectId is a string in HubSpot's spec and a
// number in its answers: both are read.
func TestAssociationIDStringOrNumber(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Body: `{"results":[{"toObjectId":"101","associationTypes":[]},` +
		`{"toObjectId":102,"associationTypes":[]}]}`})
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL, Auth: connector.Bearer("pat-na1-test-0001")},
		connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	var ids []string
	for ref, err := range client.Associations.Associated(context.Background(), crm.Ref{Type: crm.DealObject, ID: "7"}, crm.ContactObject) {
		require.NoError(t, err)
		ids = append(ids, ref.ID)
	}
	assert.Equal(t, []string{"101", "102"}, ids)
	require.Len(t, srv.Requests(), 1)
	assert.Equal(t, http.MethodGet, srv.Requests()[0].Method)
}
