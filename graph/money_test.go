package graph_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestSettlementMoneyGraphQL: the deposit is credited once and shown on the
// bill, the customer pays in parts, delivery waits for the balance, the
// insurer's share becomes a receivable paid in part, and the books add up.
func TestSettlementMoneyGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	dep := shop.Money(200_00)
	ap, err := e.db.BookAppointment(storetest.Ctx(f.Advisor), store.BookAppointmentInput{SiteID: f.Site.ID,
		Customer: &store.NewCustomerInput{Name: "林女士", Phone: "13900139000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B8M001", Make: "本田", Model: "雅阁"},
		ScheduledAt: f.OpenAt(time.Now().Add(time.Hour)), RequestedWork: "事故维修", Deposit: &dep})
	if err != nil {
		t.Fatal(err)
	}
	car := f.MustCar(t, e.db, shop.OrderReady, storetest.CarOptions{Appointment: &ap.ID, Payers: []shop.Payer{shop.PayerInsurer, shop.PayerCustomer}})
	order := gid(shop.TypeOrder, int64(car.Order.ID))

	e.ok(t, f.Cashier, "settleRepairOrder", map[string]any{"orderId": order, "amountPaid": "100.00", "assessmentReference": "PICC-2026-7",
		"invoiceNumber": "04400077"}, nil)
	var got struct {
		RepairOrder struct {
			Settlement struct {
				Total, CustomerShare, InsurerShare, DepositCredited, Paid, BalanceDue struct{ Amount string }
				InvoiceNumber                                                         string
				Payments                                                              []struct{ Amount struct{ Amount string } }
				Receivables                                                           []struct {
					ID, Payer string
					Balance   struct{ Amount string }
					AgeBucket string
				}
			}
		}
	}
	const q = `query($id: ID!) { repairOrder(id: $id) { settlement {
		total { amount } customerShare { amount } insurerShare { amount } depositCredited { amount } paid { amount } balanceDue { amount }
		invoiceNumber payments { amount { amount } } receivables { id payer balance { amount } ageBucket } } } }`
	e.must(t, f.Cashier, q, map[string]any{"id": order}, &got)
	s := got.RepairOrder.Settlement
	// Per job ¥300 labour + ¥24.68 parts: the insurer's job and the customer's.
	if s.Total.Amount != "649.36" || s.CustomerShare.Amount != "324.68" || s.InsurerShare.Amount != "324.68" ||
		s.DepositCredited.Amount != "200.00" || s.Paid.Amount != "100.00" || s.BalanceDue.Amount != "24.68" ||
		s.InvoiceNumber != "04400077" || len(s.Payments) != 1 || len(s.Receivables) != 1 || s.Receivables[0].AgeBucket != "DAYS_0_30" {
		t.Fatalf("settlement=%+v, want deposit 200.00 credited, 100.00 paid, 24.68 due, one insurer receivable", s)
	}
	e.failed(t, f.Advisor, "deliverVehicle", map[string]any{"orderId": order, "belongingsChecked": true}, "INVALID", []string{"input", "balanceDue"})

	const pay = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
		settlement { balanceDue { amount } } userErrors { code field message } } }`
	var paid struct {
		RecordPayment struct {
			Settlement struct{ BalanceDue struct{ Amount string } }
			UserErrors []userError
		}
	}
	e.must(t, f.Cashier, pay, map[string]any{"input": map[string]any{"orderId": order, "amount": "24.69", "method": "CASH"}}, &paid)
	if ues := paid.RecordPayment.UserErrors; len(ues) != 1 || ues[0].Code != "INVALID" {
		t.Fatalf("userErrors=%+v, want INVALID above the balance", ues)
	}
	e.must(t, f.Cashier, pay, map[string]any{"input": map[string]any{"orderId": order, "amount": "24.68", "method": "CASH"}}, &paid)
	if b := paid.RecordPayment.Settlement.BalanceDue.Amount; b != "0.00" || len(paid.RecordPayment.UserErrors) != 0 {
		t.Fatalf("balance=%v %+v, want 0.00", b, paid.RecordPayment.UserErrors)
	}
	e.ok(t, f.Advisor, "deliverVehicle", map[string]any{"orderId": order, "belongingsChecked": true}, nil)

	var rec struct {
		PayReceivable struct {
			Receivable struct{ Balance struct{ Amount string } }
			UserErrors []userError
		}
	}
	e.must(t, f.Cashier, `mutation($input: PayReceivableInput!) { payReceivable(input: $input) {
		receivable { balance { amount } } userErrors { code field message } } }`,
		map[string]any{"input": map[string]any{"receivableId": s.Receivables[0].ID, "amount": "300.00", "reference": "PICC 回款"}}, &rec)
	if b := rec.PayReceivable.Receivable.Balance.Amount; b != "24.68" {
		t.Fatalf("balance=%v %+v, want 24.68", b, rec.PayReceivable.UserErrors)
	}
	var ag struct {
		ReceivablesAgeing struct {
			Total   struct{ Amount string }
			Buckets []struct {
				Bucket string
				Amount struct{ Amount string }
			}
		}
		MoneyAudit struct {
			Settlements int
			Breaches    []string
		}
	}
	e.must(t, f.Manager, `query($site: ID!) { receivablesAgeing(siteId: $site, payer: INSURER) { total { amount } buckets { bucket amount { amount } } }
		moneyAudit(siteId: $site) { settlements breaches } }`, map[string]any{"site": gid(shop.TypeSite, int64(f.Site.ID))}, &ag)
	if ag.ReceivablesAgeing.Total.Amount != "24.68" || len(ag.ReceivablesAgeing.Buckets) != 4 || ag.ReceivablesAgeing.Buckets[0].Amount.Amount != "24.68" ||
		ag.MoneyAudit.Settlements != 1 || len(ag.MoneyAudit.Breaches) != 0 {
		t.Fatalf("ageing=%+v, want 24.68 owed 0-30 days and books that add up", ag)
	}
	if errs := e.do(t, f.Tech, `query($site: ID!) { moneyAudit(siteId: $site) { settlements } }`, map[string]any{"site": gid(shop.TypeSite, int64(f.Site.ID))}, nil); len(errs) != 1 || errs[0].code() != "FORBIDDEN" {
		t.Fatalf("errors=%+v, want FORBIDDEN for a technician", errs)
	}
}
