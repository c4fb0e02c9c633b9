package graph

import (
	"bayboard/graph/model"
	"bayboard/shop"
	"bayboard/store"
)

// endpointPayload builds a webhook endpoint payload.
func endpointPayload(e *shop.WebhookEndpoint, err error) (*model.WebhookEndpointPayload, error) {
	p := &model.WebhookEndpointPayload{Endpoint: e}
	p.UserErrors, err = userErrors(err)
	return p, err
}

// messageFilter parses outboxMessages' arguments.
func messageFilter(siteID string, orderID *string, first *int, after *string) (store.MessageFilter, error) {
	var f store.MessageFilter
	var err error
	if f.SiteID, err = siteArg(siteID); err != nil {
		return f, err
	}
	if f.Limit, err = pageSize(first, 100, 100); err != nil {
		return f, err
	}
	o, err := optID("orderId", shop.TypeOrder, orderID)
	if err != nil {
		return f, err
	}
	if o != nil {
		id := shop.OrderID(*o)
		f.OrderID = &id
	}
	a, err := optID("after", shop.TypeMessage, after)
	if a != nil {
		f.After = shop.MessageID(*a)
	}
	return f, err
}

// deliveryFilter parses webhookDeliveries' arguments.
func deliveryFilter(endpointID string, pending *bool, first *int, after *string) (store.DeliveryFilter, error) {
	var f store.DeliveryFilter
	id, err := parseID("endpointId", shop.TypeWebhookEndpoint, endpointID)
	if err != nil {
		return f, err
	}
	f.EndpointID, f.Pending = shop.WebhookEndpointID(id), pending != nil && *pending
	if f.Limit, err = pageSize(first, 100, 100); err != nil {
		return f, err
	}
	a, err := optID("after", shop.TypeWebhookDelivery, after)
	if a != nil {
		f.After = shop.WebhookDeliveryID(*a)
	}
	return f, err
}
