"""The word lists that names, texts and proportions of the demo data are drawn from."""

from learning.models import Kind

TRACK_NAMES = (
    "Backend foundations", "Python web services", "Data engineering", "Cloud operations", "API design",
    "Databases in depth", "Site reliability", "Security engineering", "Distributed systems",
    "Developer tooling",
)  # fmt: skip
STAGE_NAMES = (
    "Foundations", "Core skills", "Working with data", "Building services", "Testing and quality",
    "Operations", "Scaling up", "Security", "Advanced topics", "Capstone",
)  # fmt: skip
TOPIC_AREAS = (
    "Caching", "Indexing", "Query planning", "Message queues", "Rate limiting", "Authentication",
    "Session handling", "Logging", "Tracing", "Schema migrations", "Connection pooling", "Load balancing",
    "Containers", "Background jobs", "API versioning", "Pagination", "Input validation", "Error handling",
    "Feature flags", "Replication", "Sharding", "Full-text search", "Realtime messaging", "Unit testing",
    "Deployment",
)  # fmt: skip
TOPIC_ASPECTS = (
    "basics", "in practice", "patterns", "internals", "pitfalls", "at scale", "for beginners",
    "strategies", "deep dive", "trade-offs", "with Python", "with PostgreSQL", "checklists", "security",
    "performance", "monitoring", "case studies", "design", "anti-patterns", "tooling",
)  # fmt: skip
TAG_NAMES = (
    "python", "sql", "http", "postgresql", "django", "apis", "rest", "graphql", "docker", "kubernetes",
    "linux", "git", "testing", "security", "caching", "redis", "queues", "async", "performance",
    "monitoring", "logging", "cloud", "aws", "networking", "databases", "architecture", "microservices",
    "devops", "ci-cd", "javascript", "nodejs", "go", "rust", "java", "fundamentals", "algorithms",
    "design", "observability", "auth", "web",
)  # fmt: skip
MILESTONE_PROJECTS = (
    "a URL shortener", "a todo API", "a blog engine", "a chat server", "a job queue",
    "a metrics dashboard", "a file uploader", "a rate limiter", "a search service",
    "a payment webhook handler", "an image thumbnailer", "a feature-flag service",
)  # fmt: skip
AUTHORS = (
    "Ada Lindqvist", "Backend Weekly", "Demo Press", "Grace Okafor", "The Query Planner", "Linus Park",
    "Open Source Guild", "Mina Haddad", "Ops Notebook", "Ravi Menon", "Sofia Brandt",
    "Cloud Native Circle", "Tomás Rivera", "Yuki Tanaka", "Practical Dev Co.", "Hannah Schultz",
    "Data Street", "Kwame Mensah", "Leila Farahani", "Stack Academy",
)  # fmt: skip
INTRO_CLAIMS = (
    "is one of the ideas every backend developer meets early",
    "shapes how a service behaves under real traffic",
    "is where many production incidents start",
    "turns a working prototype into something you can run for years",
    "is easier than it looks once the vocabulary is clear",
)
INTRO_ADVICE = (
    "This page collects the material we found clearest, from first principles to production advice.",
    "Start with the overview, then pick one hands-on resource and build something small.",
    "Expect to come back to it: the second pass is where the trade-offs make sense.",
    "Most of the resources assume you know the basics of HTTP and SQL.",
)
LEARNING_POINTS = (
    "the core vocabulary and when it matters",
    "a minimal working example you wrote yourself",
    "the common failure modes and how to spot them",
    "how to measure before and after a change",
    "which defaults to keep and which to change",
    "how it interacts with the database",
    "how to test it automatically",
    "what to monitor in production",
)
RESOURCE_TITLES = {
    Kind.DOCS: ("{S}: reference documentation", "Official guide to {s}"),
    Kind.COURSE: ("{S}: the complete course", "Mastering {s}"),
    Kind.INTERACTIVE: ("Hands-on {s} exercises", "{S} playground"),
    Kind.BOOK: ("The {s} handbook", "{S}, second edition"),
    Kind.VIDEO: ("{S} explained", "{S} in one talk"),
    Kind.ARTICLE: ("A practical guide to {s}", "{S}: lessons learned"),
    Kind.TOOL: ("{S} toolkit", "A checker for {s}"),
    Kind.REPO: ("Awesome {s}", "{S} examples repository"),
    Kind.PODCAST: ("Talking {s}", "{S} on air"),
}
RESOURCE_DESCRIPTIONS = (
    "A clear walk through {s} with runnable examples.",
    "Covers {s} from first principles to production advice.",
    "Short and practical: {s} in the context of a real service.",
    "The reference many teams keep open when working on {s}.",
    "Exercises on {s} with solutions and explanations.",
)
KIND_WEIGHTS = {
    Kind.DOCS: 12, Kind.COURSE: 12, Kind.INTERACTIVE: 6, Kind.BOOK: 8, Kind.VIDEO: 18,
    Kind.ARTICLE: 28, Kind.TOOL: 6, Kind.REPO: 6, Kind.PODCAST: 4,
}  # fmt: skip
KIND_MINUTES = {
    Kind.DOCS: (10, 90), Kind.COURSE: (120, 1800), Kind.INTERACTIVE: (20, 240), Kind.BOOK: (240, 1200),
    Kind.VIDEO: (5, 90), Kind.ARTICLE: (5, 40), Kind.TOOL: (10, 60), Kind.REPO: (15, 120),
    Kind.PODCAST: (20, 70),
}  # fmt: skip
PAID_KINDS = (Kind.BOOK, Kind.COURSE)
REVIEW_OPENINGS = (
    "Clear and well paced.", "Exactly what I needed.", "A bit dated, but still useful.", "Great examples.",
    "Too long for what it covers.", "The best introduction I have found.", "Solid, if a little dry.",
)  # fmt: skip
REVIEW_DETAILS = (
    "The exercises made it stick.", "I skipped the first chapter.", "Pair it with the official docs.",
    "Worth it for the section on errors alone.", "I wish it covered testing.", "Easy to follow.",
)  # fmt: skip
BOOKMARK_NOTES = (
    "Read again before the project.", "Chapter 4 is the important part.", "Recommended by a colleague.",
    "Watch at 1.5× speed.", "Come back to this for the exercises.", "Good reference for interviews.",
)  # fmt: skip
STARS = (5, 4, 3, 2, 1)
STAR_WEIGHTS = (40, 35, 13, 7, 5)
