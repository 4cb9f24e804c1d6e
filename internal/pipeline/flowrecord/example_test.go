package flowrecord_test

import (
	"fmt"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

func ExampleParseFormat() {
	_, err := flowrecord.ParseFormat("${version} ${srcadr} ${dstaddr}")
	fmt.Println(err)
	f, _ := flowrecord.ParseFormat("${version} ${vpc-id} ${srcaddr} ${traffic-path}")
	fmt.Println(f.Version(), f.Header())
	// Output:
	// log format: field 2 "${srcadr}" at byte 11: unknown field "srcadr"; did you mean "srcaddr"?
	// 5 version vpc-id srcaddr traffic-path
}

func ExampleParser_Parse() {
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var r flowrecord.Record
	line := []byte("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	if err := p.Parse(line, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.SrcAddr(), r.DstPort(), r.Bytes(), r.Action())
	fmt.Println(string(r.AppendJSON(nil)))
	// Output:
	// 172.31.16.139 22 4249 ACCEPT
	// {"version":2,"account-id":"123456789010","interface-id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log-status":"OK"}
}

func ExampleReader() {
	file := "version srcaddr dstaddr action log-status\n" +
		"4 10.0.0.5 10.0.1.9 ACCEPT OK\n" +
		"4 10.0.0.5 10.0.1 ACCEPT OK\n" +
		"4 - - - NODATA\n"
	rd := flowrecord.NewReader(strings.NewReader(file), flowrecord.DefaultFormat)
	for rd.Next() {
		if err := rd.LineErr(); err != nil {
			fmt.Println("rejected:", err)
			continue
		}
		r := rd.Record()
		if !r.Has(flowrecord.FieldSrcAddr) {
			fmt.Println(rd.LineNumber(), "no traffic:", r.LogStatus())
			continue
		}
		fmt.Println(rd.LineNumber(), r.SrcAddr(), r.LogStatus())
	}
	fmt.Printf("%+v\n", rd.Stats())
	// Output:
	// 2 10.0.0.5 OK
	// rejected: line 3: field 3 (dstaddr) at byte 11: not an IP address: "10.0.1"
	// 4 no traffic: NODATA
	// {Lines:4 Headers:1 Records:2 Rejected:1}
}
