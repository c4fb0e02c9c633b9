package graph_test

import (
	"strings"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestLoopGraphQL: a manager registers a webhook endpoint (others may not),
// an advisor sends the customer's approval link and sees the message in
// the outbox and on the order; a technician sees the order but no message.
func TestLoopGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.PublicURL = "https://bb.example"
	siteID := gid(shop.TypeSite, int64(e.f.Site.ID))
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	orderID := gid(shop.TypeOrder, int64(car.Order.ID))
	if _, err := e.db.RequestAdditionalWork(storetest.Ctx(e.f.Tech), store.RequestAdditionalWorkInput{OrderID: car.Order.ID,
		FoundOnJobID: &car.Jobs[0].ID, Description: "更换刹车片", Reason: "刹车片剩 2mm", LabourMinutes: 30, ExtraMinutes: 30, Safety: true}); err != nil {
		t.Fatalf("request: %v", err)
	}

	const create = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id secret url messages eventKinds } userErrors { code field message } } }`
	in := map[string]any{"in": map[string]any{"siteId": siteID, "url": "https://sms.example.com/hook", "messages": true, "eventKinds": []string{"ORDER_READY"}}}
	var made struct {
		CreateWebhookEndpoint struct {
			Endpoint *struct {
				ID, Secret, URL string
				Messages        bool
				EventKinds      []string
			}
			UserErrors []userError
		}
	}
	t.Run("ErrForbiddenAdvisor", func(t *testing.T) {
		e.must(t, e.f.Advisor, create, in, &made)
		if ue := made.CreateWebhookEndpoint.UserErrors; len(ue) != 1 || ue[0].Code != "FORBIDDEN" || made.CreateWebhookEndpoint.Endpoint != nil {
			t.Fatalf("payload=%+v, want FORBIDDEN and no endpoint", made.CreateWebhookEndpoint)
		}
	})
	t.Run("OKManager", func(t *testing.T) {
		e.must(t, e.f.Manager, create, in, &made)
		ep := made.CreateWebhookEndpoint.Endpoint
		if ep == nil || !strings.HasPrefix(ep.Secret, "whsec_") || len(ep.EventKinds) != 1 || !ep.Messages {
			t.Fatalf("payload=%+v, want an endpoint with a whsec_ secret", made.CreateWebhookEndpoint)
		}
		var list struct{ WebhookEndpoints []struct{ ID string } }
		e.must(t, e.f.Manager, `query($s: ID!) { webhookEndpoints(siteId: $s) { id } }`, map[string]any{"s": siteID}, &list)
		if len(list.WebhookEndpoints) != 1 || list.WebhookEndpoints[0].ID != ep.ID {
			t.Fatalf("endpoints=%+v, want the one registered", list.WebhookEndpoints)
		}
	})
	t.Run("OKApprovalLink", func(t *testing.T) {
		var sent struct {
			SendApprovalLink struct {
				URL        string
				Message    struct{ Kind, Body string }
				UserErrors []userError
			}
		}
		e.must(t, e.f.Advisor, `mutation($in: SendApprovalLinkInput!) { sendApprovalLink(input: $in) { url message { kind body } userErrors { code message } } }`,
			map[string]any{"in": map[string]any{"orderId": orderID}}, &sent)
		p := sent.SendApprovalLink
		if len(p.UserErrors) > 0 || !strings.HasPrefix(p.URL, "https://bb.example/approve/") || p.Message.Kind != "APPROVAL_REQUEST" || !strings.Contains(p.Message.Body, p.URL) {
			t.Fatalf("payload=%+v, want the link in an approval request", p)
		}
		var msgs struct {
			OutboxMessages []struct{ Kind string }
		}
		e.must(t, e.f.Advisor, `query($s: ID!, $o: ID) { outboxMessages(siteId: $s, orderId: $o) { kind } }`, map[string]any{"s": siteID, "o": orderID}, &msgs)
		if len(msgs.OutboxMessages) != 1 {
			t.Fatalf("outbox=%+v, want the approval request", msgs.OutboxMessages)
		}
		var order struct {
			RepairOrder struct{ Messages []struct{ Kind, Link string } }
		}
		e.must(t, e.f.Advisor, `query($id: ID!) { repairOrder(id: $id) { messages { kind link } } }`, map[string]any{"id": orderID}, &order)
		if m := order.RepairOrder.Messages; len(m) != 1 || m[0].Link != p.URL {
			t.Fatalf("order messages=%+v, want the approval request with its link", m)
		}
		e.must(t, e.f.Tech, `query($id: ID!) { repairOrder(id: $id) { messages { kind link } } }`, map[string]any{"id": orderID}, &order)
		if m := order.RepairOrder.Messages; len(m) != 0 {
			t.Fatalf("technician's order messages=%+v, want none", m)
		}
	})
	t.Run("OKJobPhotos", func(t *testing.T) {
		e.db.AttachmentKey = []byte("k")
		if _, err := e.db.CreateAttachment(storetest.Ctx(e.f.Tech), &shop.Attachment{OwnerType: shop.AttachToJob, OwnerID: int64(car.Jobs[0].ID),
			ContentType: "image/jpeg", Bytes: 10, Width: 4, Height: 3, Key: "a/1.jpg", ThumbKey: "a/1-thumb.jpg", SHA256: make([]byte, 32)}); err != nil {
			t.Fatalf("attach: %v", err)
		}
		var v struct {
			RepairOrder struct {
				Jobs []struct {
					Attachments []struct{ URL, ThumbnailURL string }
				}
			}
		}
		e.must(t, e.f.Board, `query($id: ID!) { repairOrder(id: $id) { jobs { attachments { url thumbnailUrl } } } }`, map[string]any{"id": orderID}, &v)
		if a := v.RepairOrder.Jobs[0].Attachments; len(a) != 1 || !strings.Contains(a[0].URL, "/image?exp=") || !strings.Contains(a[0].ThumbnailURL, "/thumb?exp=") {
			t.Fatalf("board's job photos=%+v, want one with signed URLs", a)
		}
	})
	t.Run("ErrInvalidTemplate", func(t *testing.T) {
		var res struct {
			SetMessageTemplate struct{ UserErrors []userError }
		}
		e.must(t, e.f.Manager, `mutation($in: SetMessageTemplateInput!) { setMessageTemplate(input: $in) { template { body } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"siteId": siteID, "kind": "APPROVAL_REQUEST", "locale": "en", "body": "Call us."}}, &res)
		if ue := res.SetMessageTemplate.UserErrors; len(ue) != 1 || ue[0].Code != "INVALID" {
			t.Fatalf("userErrors=%+v, want INVALID (no {link})", ue)
		}
	})
}

// TestInspectionGraphQL: checklist, inspection, a red finding proposed in
// one tap, through the API.
func TestInspectionGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	siteID := gid(shop.TypeSite, int64(e.f.Site.ID))
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	orderID := gid(shop.TypeOrder, int64(car.Order.ID))
	var cl struct {
		CreateInspectionChecklist struct {
			Checklist  struct{ ID string }
			UserErrors []userError
		}
	}
	e.must(t, e.f.Manager, `mutation($in: CreateInspectionChecklistInput!) { createInspectionChecklist(input: $in) { checklist { id } userErrors { code message } } }`,
		map[string]any{"in": map[string]any{"siteId": siteID, "name": "35000 km 保养", "workType": "MAINTENANCE",
			"entries": []any{map[string]any{"name": "刹车片", "labourMinutes": 60}, map[string]any{"name": "雨刮"}}}}, &cl)
	if len(cl.CreateInspectionChecklist.UserErrors) > 0 {
		t.Fatalf("userErrors=%+v", cl.CreateInspectionChecklist.UserErrors)
	}
	var st struct {
		StartInspection struct {
			Inspection struct {
				Items []struct{ ID, Name string }
			}
			UserErrors []userError
		}
	}
	e.must(t, e.f.Tech, `mutation($in: StartInspectionInput!) { startInspection(input: $in) { inspection { items { id name } } userErrors { code message } } }`,
		map[string]any{"in": map[string]any{"orderId": orderID, "checklistId": cl.CreateInspectionChecklist.Checklist.ID}}, &st)
	items := st.StartInspection.Inspection.Items
	if len(items) != 2 {
		t.Fatalf("payload=%+v, want two items", st.StartInspection)
	}
	var rec struct {
		RecordInspectionItem struct {
			Item       struct{ Status string }
			UserErrors []userError
		}
	}
	e.must(t, e.f.Tech, `mutation($in: RecordInspectionItemInput!) { recordInspectionItem(input: $in) { item { status } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"itemId": items[0].ID, "status": "RED"}}, &rec)
	if ue := rec.RecordInspectionItem.UserErrors; len(ue) != 1 || ue[0].Code != "INVALID" {
		t.Fatalf("userErrors=%+v, want INVALID (a red finding needs a note)", ue)
	}
	e.must(t, e.f.Tech, `mutation($in: RecordInspectionItemInput!) { recordInspectionItem(input: $in) { item { status } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"itemId": items[0].ID, "status": "RED", "note": "剩 2mm"}}, &rec)
	if rec.RecordInspectionItem.Item.Status != "RED" {
		t.Fatalf("payload=%+v, want RED", rec.RecordInspectionItem)
	}
	var pr struct {
		ProposeFromInspectionItem struct {
			AdditionalWork struct {
				State  string
				Safety bool
			}
			UserErrors []userError
		}
	}
	e.must(t, e.f.Tech, `mutation($in: ProposeFromInspectionItemInput!) { proposeFromInspectionItem(input: $in) { additionalWork { state safety } userErrors { code message } } }`,
		map[string]any{"in": map[string]any{"itemId": items[0].ID}}, &pr)
	if p := pr.ProposeFromInspectionItem; len(p.UserErrors) > 0 || p.AdditionalWork.State != "REQUESTED" || !p.AdditionalWork.Safety {
		t.Fatalf("payload=%+v, want a REQUESTED safety matter", p)
	}
	var v struct {
		RepairOrder struct {
			Inspections []struct {
				Items []struct {
					Status         *string
					AdditionalWork *struct{ State string }
				}
			}
		}
	}
	e.must(t, e.f.Advisor, `query($id: ID!) { repairOrder(id: $id) { inspections { items { status additionalWork { state } } } } }`, map[string]any{"id": orderID}, &v)
	if ins := v.RepairOrder.Inspections; len(ins) != 1 || ins[0].Items[0].AdditionalWork == nil || ins[0].Items[1].Status != nil {
		t.Fatalf("inspections=%+v, want the red item tied to its request and the other unchecked", ins)
	}
}
