package shop_test

import (
	"testing"

	"bayboard/shop"
)

func TestComputeBill(t *testing.T) {
	billJob := func(id shop.JobID, state shop.JobState, payer shop.Payer, labour shop.Money) *shop.Job {
		return &shop.Job{ID: id, State: state, Payer: payer, LabourPrice: labour}
	}
	part := func(job shop.JobID, qty int, unit shop.Money, payer shop.Payer) *shop.PartLine {
		p := &shop.PartLine{Quantity: qty, UnitPrice: unit, Payer: payer}
		if job != 0 {
			p.JobID = &job
		}
		return p
	}

	for _, tt := range []struct {
		name                      string
		jobs                      []*shop.Job
		parts                     []*shop.PartLine
		labour, partsTotal, total shop.Money
		byPayer                   map[shop.Payer]shop.Money
	}{
		{name: "Empty", byPayer: map[shop.Payer]shop.Money{}},
		{
			name:       "OneJob",
			jobs:       []*shop.Job{billJob(1, shop.JobDone, shop.PayerCustomer, 30000)},
			parts:      []*shop.PartLine{part(1, 4, 5200, shop.PayerCustomer)},
			labour:     30000,
			partsTotal: 20800,
			total:      50800,
			byPayer:    map[shop.Payer]shop.Money{shop.PayerCustomer: 50800},
		},
		{
			name: "PayerSplit",
			jobs: []*shop.Job{
				billJob(1, shop.JobDone, shop.PayerCustomer, 30000),
				billJob(2, shop.JobDone, shop.PayerWarranty, 20000),
				billJob(3, shop.JobSelfChecked, shop.PayerInsurer, 15000),
				billJob(4, shop.JobDone, shop.PayerInternal, 5000), // rework at our cost
			},
			parts: []*shop.PartLine{
				part(1, 2, 4500, shop.PayerCustomer),
				part(2, 1, 12000, shop.PayerWarranty),
				part(3, 3, 2000, shop.PayerInsurer),
				part(1, 1, 1000, shop.PayerWarranty), // a part's payer is its own
			},
			labour:     70000,
			partsTotal: 28000,
			total:      98000,
			byPayer: map[shop.Payer]shop.Money{
				shop.PayerCustomer: 39000,
				shop.PayerWarranty: 33000,
				shop.PayerInsurer:  21000,
				shop.PayerInternal: 5000,
			},
		},
		{
			name: "NotBillableJobsAndTheirParts",
			jobs: []*shop.Job{
				billJob(1, shop.JobDone, shop.PayerCustomer, 30000),
				billJob(2, shop.JobDeclined, shop.PayerCustomer, 50000),
				billJob(3, shop.JobPendingApproval, shop.PayerCustomer, 10000),
				billJob(4, shop.JobCancelled, shop.PayerInsurer, 7000),
			},
			parts: []*shop.PartLine{
				part(1, 1, 9000, shop.PayerCustomer),
				part(2, 1, 99900, shop.PayerCustomer), // declined
				part(3, 2, 1000, shop.PayerCustomer),  // still waiting for the customer
				part(4, 1, 5000, shop.PayerInsurer),   // cancelled
			},
			labour:     30000,
			partsTotal: 9000,
			total:      39000,
			byPayer:    map[shop.Payer]shop.Money{shop.PayerCustomer: 39000},
		},
		{
			name: "PartsWithoutJob",
			jobs: []*shop.Job{billJob(1, shop.JobDeclined, shop.PayerCustomer, 50000)},
			parts: []*shop.PartLine{
				part(0, 1, 800, shop.PayerCustomer), // wiper blade sold over the counter
				part(0, 2, 3500, shop.PayerWarranty),
			},
			labour:     0,
			partsTotal: 7800,
			total:      7800,
			byPayer:    map[shop.Payer]shop.Money{shop.PayerCustomer: 800, shop.PayerWarranty: 7000},
		},
		{
			name: "UnfinishedJobsAreCharged",
			jobs: []*shop.Job{
				billJob(1, shop.JobInProgress, shop.PayerCustomer, 10000),
				billJob(2, shop.JobWaitingDispatch, shop.PayerCustomer, 20000),
			},
			parts:      []*shop.PartLine{part(2, 1, 3000, shop.PayerCustomer)},
			labour:     30000,
			partsTotal: 3000,
			total:      33000,
			byPayer:    map[shop.Payer]shop.Money{shop.PayerCustomer: 33000},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := shop.ComputeBill(tt.jobs, tt.parts)
			if b.Labour != tt.labour {
				t.Fatalf("labour=%v, want %v", b.Labour, tt.labour)
			}
			if b.Parts != tt.partsTotal {
				t.Fatalf("parts=%v, want %v", b.Parts, tt.partsTotal)
			}
			if b.Total != tt.total {
				t.Fatalf("total=%v, want %v", b.Total, tt.total)
			}
			if b.ByPayer == nil {
				t.Fatal("byPayer=nil, want a map")
			}
			var sum shop.Money
			for _, p := range []shop.Payer{shop.PayerCustomer, shop.PayerWarranty, shop.PayerInsurer, shop.PayerInternal} {
				if got, want := b.ByPayer[p], tt.byPayer[p]; got != want {
					t.Fatalf("byPayer[%s]=%v, want %v", p, got, want)
				}
				sum += b.ByPayer[p]
			}
			if sum != b.Total {
				t.Fatalf("sum of shares=%v, want total %v", sum, b.Total)
			}
		})
	}
}

func TestCheckSettlement(t *testing.T) {
	bill := func(shares map[shop.Payer]shop.Money) shop.Bill { return shop.Bill{ByPayer: shares} }
	plain := &shop.Order{}
	assessed := &shop.Order{InsuranceClaim: true, AssessmentReference: "PICC-2025-000123"}
	for _, tt := range []struct {
		name   string
		order  *shop.Order
		bill   shop.Bill
		method shop.PaymentMethod
		field  string // "" for OK
	}{
		{"OK/CustomerPaysCash", plain, bill(map[shop.Payer]shop.Money{shop.PayerCustomer: 50800}), shop.PayCash, ""},
		{"OK/CustomerPaysWeChat", plain, bill(map[shop.Payer]shop.Money{shop.PayerCustomer: 1}), shop.PayWeChat, ""},
		{"OK/WarrantyOnly", plain, bill(map[shop.Payer]shop.Money{shop.PayerWarranty: 32000}), shop.PayNone, ""},
		{"OK/InternalOnly", plain, bill(map[shop.Payer]shop.Money{shop.PayerInternal: 5000}), shop.PayNone, ""},
		{"OK/NothingToPay", plain, shop.ComputeBill(nil, nil), shop.PayNone, ""},
		{"OK/ZeroBillNilMap", plain, shop.Bill{}, shop.PayNone, ""},
		{"OK/InsurerWithAssessment", assessed, bill(map[shop.Payer]shop.Money{shop.PayerInsurer: 21000}), shop.PayNone, ""},
		{"OK/InsurerAndCustomer", assessed, bill(map[shop.Payer]shop.Money{shop.PayerInsurer: 21000, shop.PayerCustomer: 2000}), shop.PayAlipay, ""},
		{"ErrInvalid/CustomerPaysNothing", plain, bill(map[shop.Payer]shop.Money{shop.PayerCustomer: 50800}), shop.PayNone, "paymentMethod"},
		{"ErrInvalid/CustomerNoMethod", plain, bill(map[shop.Payer]shop.Money{shop.PayerCustomer: 50800}), "", "paymentMethod"},
		{"ErrInvalid/InsurerWithoutAssessment", plain, bill(map[shop.Payer]shop.Money{shop.PayerInsurer: 21000}), shop.PayNone, "assessmentReference"},
		{"ErrInvalid/ClaimWithoutAssessment", &shop.Order{InsuranceClaim: true}, bill(map[shop.Payer]shop.Money{shop.PayerInsurer: 1, shop.PayerCustomer: 2000}), shop.PayCard, "assessmentReference"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := shop.CheckSettlement(tt.order, tt.bill, tt.method)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				return
			}
			wantInvalid(t, err, tt.field)
		})
	}
}

func TestPartLine_Total(t *testing.T) {
	p := &shop.PartLine{Quantity: 3, UnitPrice: 4550}
	if got, want := p.Total(), shop.Money(13650); got != want {
		t.Fatalf("total=%v, want %v", got, want)
	}
}
