# native-documents in Polar (Oso 0.27 resource blocks), loaded by the oso adapter's native
# mode instead of the translation of the neutral model. The classes User, Folder and
# Document are registered by the adapter (facts.yaml `classes`); their instances read the
# facts of facts.yaml through host methods, as an Oso application reads its database:
#   resource.direct(relation, actor)  facts `resource#relation@actor` (or `@type:*`)
#   resource.objects(relation)        facts `resource#relation@object`; `.subject` is the object

allow(actor, action, resource) if
  has_permission(actor, action, resource);

actor User {}

resource Folder {
  permissions = ["view"];
  roles = ["viewer"];

  "view" if "viewer";
}

resource Document {
  permissions = ["view", "edit"];
  roles = ["owner", "editor", "viewer"];
  relations = { parent: Folder };

  # edit = owner | editor
  "edit" if "owner";
  "edit" if "editor";

  # view = edit | viewer | parent->view
  "view" if "edit";
  "view" if "viewer";
  "view" if "view" on "parent";
}

# A role is a direct fact naming the user.
has_role(user: User, role: String, resource: Resource) if
  _fact in resource.direct(role, user);

# A document's parent folder.
has_relation(folder: Folder, "parent", document: Document) if
  fact in document.objects("parent") and
  folder = fact.subject;
