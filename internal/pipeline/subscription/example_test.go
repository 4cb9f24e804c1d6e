package subscription_test

import (
	"fmt"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

func ExampleDecoder_Decode() {
	payload := subscription.GeneratePayload(3, 1)

	d := subscription.NewDecoder()
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var r flowrecord.Record
	h, err := d.Decode(payload, func(ev subscription.Event) error {
		if err := p.Parse(ev.Message, &r); err != nil {
			return fmt.Errorf("log event %s: %w", ev.ID, err)
		}
		fmt.Println(r.Protocol(), r.Action())
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.MessageType, h.LogGroup, h.LogEvents)
	// Output:
	// 6 ACCEPT
	// 17 ACCEPT
	// 17 ACCEPT
	// DATA_MESSAGE /vpcflow/flow-logs 3
}
