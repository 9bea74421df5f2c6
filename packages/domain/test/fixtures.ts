/** Wire JSON shared by the domain tests: a conversation with every field, and a bulk POST's 201 body. */

export const fullConversation = {
  customer: "5cb3a1b7c9e77c0013e5f2d1",
  id: "58228e05d4e96711004eccb7",
  externalId: "zendesk-ticket-4417",
  name: "Order 4417 never arrived",
  status: "done",
  priority: 3,
  createdAt: "2026-10-21T14:02:11.925Z",
  importedAt: "2026-10-22T08:00:00.000Z",
  direction: "in",
  replyChannel: null,
  tags: ["shipping", "refund"],
  assignedUsers: ["507f1f77bcf86cd799439031"],
  assignedTeams: ["507f1f77bcf86cd799439032"],
  custom: {
    orderNumberStr: "4417",
    refundAmountNum: 19.99,
    shippedAt: "2026-10-20T10:00:00Z",
    notesTxt: null,
    vipBool: true,
    trackingUrl: "https://tracking.example.com/4417"
  },
  defaultLang: "en_us",
  queue: { id: null, external: "amazon-connect" },
  _clientRef: "row-1"
} as const

export const acceptedJob = {
  data: {
    type: "bulk",
    id: "6543a1b7c9e77c0013e5f2aa",
    attributes: {
      ids: [],
      context: "conversation",
      status: "queued",
      v2: true,
      payload: {
        api: {
          data: [{ externalId: "zendesk-ticket-4417", name: "Order 4417 never arrived" }],
          path: "/v1/conversations/bulk",
          user: {
            id: "5f1e2d3c4b5a697887766554",
            userType: "machine",
            roles: ["org.permission.conversation.create"],
            orgName: "acme",
            subject: "5f1e2d3c4b5a697887766554",
            org: "5f1e2d3c4b5a697887766000"
          },
          requestId: "req-1",
          service: "api",
          method: "POST"
        }
      },
      createdAt: "2026-10-21T14:02:11.925Z",
      updatedAt: "2026-10-21T14:02:11.925Z",
      completed: false
    },
    relationships: {
      org: {
        links: { self: "/v1/orgs/5f1e2d3c4b5a697887766000" },
        data: { type: "org", id: "5f1e2d3c4b5a697887766000" }
      },
      createdBy: {
        links: { self: "/v1/users/5f1e2d3c4b5a697887766554" },
        data: { type: "user", id: "5f1e2d3c4b5a697887766554" }
      }
    },
    links: { self: "/v1/bulk/6543a1b7c9e77c0013e5f2aa" }
  }
} as const
