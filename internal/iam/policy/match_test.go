package policy

import "testing"

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*", "anything:at/all", true},
		{"abc", "abc", true},
		{"abc", "abC", false},
		{"a*c", "abbbc", true},
		{"a*c", "ab", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "aéc", true}, // ? is one character, not one byte
		{"a??c", "aéc", false},
		{"*??", "€", false},
		{"*.log", "x.log.gz", false},
		{"*.log*", "x.log.gz", true},
		{"**a", "bba", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXcYb", false},
	}
	for _, tt := range tests {
		t.Run(tt.p+"~"+tt.s, func(t *testing.T) {
			if got := WildcardMatch(tt.p, tt.s); got != tt.want {
				t.Errorf("WildcardMatch(%q, %q) = %v", tt.p, tt.s, got)
			}
		})
	}
}

func TestActionMatch(t *testing.T) {
	tests := []struct {
		p, action string
		want      bool
	}{
		{"logs:PutLogEvents", "logs:PutLogEvents", true},
		{"LOGS:putlogevents", "logs:PutLogEvents", true},
		{"logs:Put*", "logs:PutLogEvents", true},
		{"logs:*", "logs:CreateLogStream", true},
		{"*", "sts:AssumeRole", true},
		{"logs:PutLogEvent", "logs:PutLogEvents", false},
		{"log:*", "logs:PutLogEvents", false},
		{"logs:Describe*", "logs:DescribeLogGroups", true},
	}
	for _, tt := range tests {
		t.Run(tt.p+"~"+tt.action, func(t *testing.T) {
			if got := ActionMatch(tt.p, tt.action); got != tt.want {
				t.Errorf("ActionMatch(%q, %q) = %v", tt.p, tt.action, got)
			}
		})
	}
}

func TestResourceMatch(t *testing.T) {
	const group = "arn:aws:logs:us-east-1:111122223333:log-group:flows:*"
	const stream = "arn:aws:logs:us-east-1:111122223333:log-group:flows:log-stream:eni-0123456789abcdef0-all"
	tests := []struct {
		name, p, s string
		want       bool
	}{
		{"star", "*", group, true},
		{"exact", group, group, true},
		{"missing :* does not cover the group", "arn:aws:logs:us-east-1:111122223333:log-group:flows", group, false},
		{"missing :* does not cover streams", "arn:aws:logs:us-east-1:111122223333:log-group:flows", stream, false},
		{"group :* covers streams", group, stream, true},
		{"resource part spans colons", "arn:aws:logs:us-east-1:111122223333:*", stream, true},
		{"wildcard region and account", "arn:aws:logs:*:*:log-group:flows:*", stream, true},
		{"wildcard does not span components", "arn:aws:logs:*:log-group:flows:*", group, false},
		{"case-sensitive", "arn:aws:logs:us-east-1:111122223333:log-group:Flows:*", group, false},
		{"s3 object", "arn:aws:s3:::bucket/AWSLogs/111122223333/*", "arn:aws:s3:::bucket/AWSLogs/111122223333/vpcflowlogs/x.log.gz", true},
		{"s3 bucket is not an object", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"partition", "arn:aws:s3:::bucket", "arn:aws-cn:s3:::bucket", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResourceMatch(tt.p, tt.s); got != tt.want {
				t.Errorf("ResourceMatch(%q, %q) = %v", tt.p, tt.s, got)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	req := &Request{Context: map[string][]string{"aws:username": {"alice*"}, "AWS:SourceAccount": {"111122223333"}}}
	tests := []struct {
		in      string
		forGlob bool
		want    string
		wantT   tri
	}{
		{"plain", true, "plain", yes},
		{"home/${aws:username}/*", true, `home/alice\*/*`, yes},
		{"home/${aws:username}/*", false, "home/alice*/*", yes},
		{"${aws:sourceaccount}", false, "111122223333", yes},
		{"a${*}b${?}c${$}", true, `a\*b\?c$`, yes},
		{"${aws:userid}", false, "", no},
		{"${aws:userid, 'nobody'}", false, "nobody", yes},
		{`back\slash${*}`, true, `back\\slash\*`, yes},
		{"unterminated ${aws:username", false, "unterminated ${aws:username", yes},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, gotT := expand(tt.in, req, tt.forGlob)
			if got != tt.want || gotT != tt.wantT {
				t.Errorf("expand(%q) = %q, %v; want %q, %v", tt.in, got, gotT, tt.want, tt.wantT)
			}
		})
	}
	unknown := &Request{Unknown: []string{"aws:SourceArn"}}
	if _, got := expand("${aws:sourcearn}", unknown, false); got != maybe {
		t.Errorf("unknown key: got %v, want maybe", got)
	}
}

func BenchmarkWildcardMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ResourceMatch("arn:aws:logs:*:*:log-group:/aws/vpc/*:*", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/vpc/flows:log-stream:eni-0123456789abcdef0-all")
	}
}
